/** pg's own parameter encoder (node_modules/pg/lib/utils.js), which @types/pg does not describe. */
declare module 'pg/lib/utils.js' {
  const utils: {
    /** A parameter as pg sends it: an array becomes PostgreSQL's array literal text. */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}
