/** The explorer's LevelDB: its sublevels, the writes of a block (Op), the cursor, and the sortable keys. */
export { ExplorerDb, RECORDS, INDEXES, type Cursor, type Op, type Sub, type SublevelName } from './store';
export { key, idOf, pad, WIDTH } from './keys';
