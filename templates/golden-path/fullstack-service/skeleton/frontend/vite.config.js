import { defineConfig } from 'vite';

// In development (compose service "frontend") API calls go to the backend container.
export default defineConfig({
  server: {
    proxy: {
      '/api': process.env.API_URL ?? 'http://localhost:8080',
      '/health': process.env.API_URL ?? 'http://localhost:8080',
      '/ready': process.env.API_URL ?? 'http://localhost:8080',
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
