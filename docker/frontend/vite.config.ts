import { defineConfig } from "vite";

// In Compose the backend is the service named "backend"; outside it, point BACKEND_URL
// at wherever the API runs (for example http://127.0.0.1:8000).
const backendUrl = process.env.BACKEND_URL || "http://backend:8000";

export default defineConfig({
  server: {
    // Inside a container the dev server must listen on every interface to be published.
    host: "0.0.0.0",
    port: 5173,
    strictPort: true,
    // The same paths nginx proxies in production, so the page's code is the same in both.
    proxy: {
      "/api": { target: backendUrl },
      "/health": { target: backendUrl },
    },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
  },
});
