export { readFolder as readSiteFolder } from '../../signaling/cli/read-folder.js';

export const FIXTURE_SITE = new URL('../fixtures/site/', import.meta.url).pathname;
