/** @tfgrid/agent */
export {};
