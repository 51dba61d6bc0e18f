/** The version reported in the OpenAPI document, MQTT discovery and `system.started` (package.json's). */
export const VERSION = '0.1.0';
