// The subnet version, as a constant so a bundled runner (which has no package.json) knows it
// too. Checkpoints record it; a test keeps it equal to package.json's.
export const SUBNET_VERSION = '0.1.0';
