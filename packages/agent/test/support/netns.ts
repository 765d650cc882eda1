/**
 * Hosts for network tests: network namespaces joined by one bridge that stands in for the
 * Internet (198.18.0.0/15, no route off the machine). One harness for the whole repository:
 * @tfgrid/netns, which localgrid runs whole grids on too; `remove()` kills what still runs in
 * the namespaces and deletes every namespace and link it made.
 */
export { makeHosts, sh, type Host, type Hosts } from '@tfgrid/netns';
