// The demo's Vite config. The page must be cross-origin isolated (COOP + COEP),
// or browsers hide SharedArrayBuffer and shared WebAssembly.Memory: both the dev
// server and `vite preview` send the two headers. The gomalloc packages resolve
// to their TypeScript sources (the "@gomalloc/source" export condition), so the
// app builds and runs without the packages' dist/ and sees their edits live.
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

/** The headers that make the page cross-origin isolated. */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  resolve: { conditions: ["@gomalloc/source", ...defaultClientConditions] },
  worker: { format: "es" },
  build: {
    target: "es2022",
    sourcemap: true,
    // Two pages: the heap visualizer and the many-workers page (workers.html).
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        workers: fileURLToPath(new URL("./workers.html", import.meta.url)),
      },
    },
  },
  server: { headers: isolationHeaders, port: 5173, strictPort: true },
  preview: { headers: isolationHeaders, port: 4173, strictPort: true },
});
