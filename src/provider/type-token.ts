/**
 * The type token of SigfoxDevice: `pulumi-nodejs:dynamic/<module>:<type>`, part of every device's URN
 * in every stack. It must never change (a change replaces every device unless aliases are given):
 * the resource class registers with these names, and the commands that read stacks (drift, shards,
 * demo, bench) find devices by the token.
 */
export const SIGFOX_DEVICE_MODULE = "soracom";
export const SIGFOX_DEVICE_TYPE_NAME = "SigfoxDevice";
export const SIGFOX_DEVICE_TYPE = `pulumi-nodejs:dynamic/${SIGFOX_DEVICE_MODULE}:${SIGFOX_DEVICE_TYPE_NAME}`;
