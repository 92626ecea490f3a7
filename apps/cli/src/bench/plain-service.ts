/**
 * The baseline for the HTTP write path: what a team would write instead of ours, on the same stack.
 * NestJS on Fastify, a class-validator DTO behind the usual ValidationPipe, a JWT guard with jose,
 * and one INSERT a request: no events, no hash chain, no read models, no idempotency. The bench
 * starts it as a process of its own, as it starts the service, on the same database server.
 */
import 'reflect-metadata';
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  Injectable,
  Module,
  Post,
  UnauthorizedException,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const secret = new TextEncoder().encode(process.env.AUTH_DEV_SECRET);

class RegisterReviewBody {
  @IsString()
  @MaxLength(64)
  reference!: string;

  @IsString()
  @MaxLength(300)
  title!: string;

  @IsIn(['cspr', 'rapid-review', 'national-review', 'local-learning-review', 'multi-agency-audit', 'inspection', 'other'])
  kind!: string;
}

@Injectable()
class JwtGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (!token) throw new UnauthorizedException();
    await jwtVerify(token, secret, { algorithms: ['HS256'] }).catch(() => {
      throw new UnauthorizedException();
    });
    return true;
  }
}

@Controller('reviews')
class ReviewsController {
  @Post()
  @HttpCode(201)
  async register(@Body() body: RegisterReviewBody): Promise<{ id: string }> {
    const id = randomUUID();
    await pool.query('INSERT INTO reviews (id, reference, title, kind) VALUES ($1, $2, $3, $4)', [
      id,
      body.reference,
      body.title,
      body.kind,
    ]);
    return { id };
  }
}

@Module({ controllers: [ReviewsController] })
class PlainModule {}

async function main(): Promise<void> {
  await pool.query(
    'CREATE TABLE IF NOT EXISTS reviews (id uuid PRIMARY KEY, reference text NOT NULL, title text NOT NULL, kind text NOT NULL)',
  );
  const app = await NestFactory.create<NestFastifyApplication>(PlainModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalGuards(new JwtGuard());
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.stdout.write('listening\n');
}

void main();
