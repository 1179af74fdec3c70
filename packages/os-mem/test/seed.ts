// The fast-check seed of a run (not a test file): FC_SEED if set, else random; always logged for replay.
export function propSeed(name: string): number {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Math.random() * 2 ** 31) | 0;
  console.info(`[fast-check] ${name}: seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}
