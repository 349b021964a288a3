import type { FastifyInstance } from 'fastify';
export async function reportPages(_app: FastifyInstance): Promise<void> {}
