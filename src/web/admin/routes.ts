import type { FastifyInstance } from 'fastify';
export async function adminPages(_app: FastifyInstance): Promise<void> {}
