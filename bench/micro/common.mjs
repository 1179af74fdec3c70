// Shared bench helpers: run a tinybench suite and print throughput per task (no assertions).
import { Bench } from "tinybench";

/**
 * Runs `tasks` ({ name: [fn, batch] }) and prints ops/s and ns per operation,
 * where one call of `fn` performs `batch` operations (batching keeps the
 * timer's own cost out of nanosecond-scale operations).
 */
export async function runSuite(title, tasks, opts = {}) {
  const bench = new Bench({ time: opts.time ?? 400, warmupTime: 100 });
  for (const [name, [fn]] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  console.log(`\n${title}`);
  const rows = bench.tasks.map((t) => {
    const batch = tasks[t.name][1];
    const r = t.result;
    const hz = (r?.throughput?.mean ?? r?.hz ?? 0) * batch;
    return { task: t.name, "ops/s": Math.round(hz).toLocaleString("en-US"), "ns/op": (1e9 / hz).toFixed(1) };
  });
  console.table(rows);
}
