// The release this build is: package.json's version, kept equal to it (and to the chart's
// appVersion) by a unit test, so that the bundle and the image need no package.json beside them.
export const VERSION = '0.1.0';
