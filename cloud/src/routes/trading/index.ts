import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** `/api/v1/trading/*`. */
export const tradingRoutes: FastifyPluginAsyncZod = async () => {
  // The position-size endpoint lands with the core sizing function.
};
