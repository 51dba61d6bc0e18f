/** gpiodetect output as Raspberry Pi OS prints it, on a Pi 4 and on a Pi 5. */
export const PI4_DETECT =
  'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n';
export const PI5_DETECT = [
  'gpiochip0 [pinctrl-rp1] (54 lines)',
  'gpiochip10 [gpio-brcmstb@107d508500] (32 lines)',
  'gpiochip11 [gpio-brcmstb@107d508520] (4 lines)',
  'gpiochip12 [gpio-brcmstb@107d517c00] (17 lines)',
  'gpiochip13 [gpio-brcmstb@107d517c20] (6 lines)',
].join('\n');
