/**
 * Two limits that a process only reads as it starts, set before anything else is loaded:
 *
 * - glibc's malloc arenas, capped at two (`MALLOC_ARENA_MAX`). glibc gives every thread that
 *   allocates under contention an arena of its own, up to eight per core, and each holds on to the
 *   memory it once had. ONNX Runtime's pools, the Temporal core's runtime and the V8 workers are
 *   such threads: uncapped, the worker ends a bulk ingest with about 100 MB more resident memory,
 *   and is no faster for it.
 * - V8's young generation, capped at 8 MB per semi-space (`--max-semi-space-size`). V8 doubles the
 *   new space of a thread that allocates fast and keeps it: in a worker that answered queries while
 *   it embedded, the main thread's new space went from 67 to 134 MB with a few MB in use, and so did
 *   its resident memory. Capped, it stays at 17 MB. The cap holds for every thread of the process.
 *
 * A process started without either replaces itself (same pid, arguments and environment) with one
 * that has both. What is already set is kept: `MALLOC_ARENA_MAX=0` restores glibc's default, and a
 * `--max-semi-space-size` in NODE_OPTIONS or on the command line wins.
 *
 * Imported first, with no imports of its own, so the re-execution happens before any module loads.
 */
const ARENAS = '2';
const SEMI_SPACE_MB = '8';
const SEMI_SPACE_FLAG = /--max[-_]semi[-_]space[-_]size/;

const arenasSet = process.env.MALLOC_ARENA_MAX !== undefined;
const semiSpaceSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) =>
  SEMI_SPACE_FLAG.test(a),
);

if (process.platform === 'linux' && typeof process.execve === 'function' && !(arenasSet && semiSpaceSet)) {
  const flags = semiSpaceSet ? [] : [`--max-semi-space-size=${SEMI_SPACE_MB}`];
  process.execve(
    process.execPath,
    [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
    arenasSet ? process.env : { ...process.env, MALLOC_ARENA_MAX: ARENAS },
  );
}
