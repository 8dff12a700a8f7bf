import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console: built into web/dist, which `gongshu start` serves at `/` (the API stays under /api).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
