/** `npm run bench -w packages/explorer [-- ui]`: `ui` is the web page's benchmark (ui.ts), anything else the explorer's (explorer.ts). */
if (process.argv[2] === 'ui') {
  process.argv.splice(2, 1);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only the chosen benchmark loads
  require('./ui');
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only the chosen benchmark loads
  require('./explorer');
}
