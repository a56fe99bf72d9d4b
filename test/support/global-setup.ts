/** Node-side setup for the whole run. Later issues start the local database endpoints here. */
export default async function setup() {}
