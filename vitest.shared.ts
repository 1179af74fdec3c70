// Shared vitest settings for every package: tests import sibling packages from
// their TypeScript sources (the "@gomalloc/source" export condition), so a test
// run does not depend on a prior build.
import { fileURLToPath } from "node:url";
import { defineProject, type UserWorkspaceConfig } from "vitest/config";

const conditions = ["@gomalloc/source", "module", "node", "development|production"];

export function gomallocProject(name: string, extra: UserWorkspaceConfig["test"] = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      setupFiles: [fileURLToPath(new URL("./vitest.fcseed.ts", import.meta.url))],
      ...extra,
    },
  });
}
