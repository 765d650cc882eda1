/** @tfgrid/explorer */
export {};
