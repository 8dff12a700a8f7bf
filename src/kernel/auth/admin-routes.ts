/** Departments and users administration. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { inTx } from '../http/tx.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { createDepartment, getDepartment, listDepartments, updateDepartment } from './departments.js';
import { createUser, getUser, listUsers, resetPassword, updateUser } from './users.js';
import {
  department,
  departmentCreate,
  departmentListQuery,
  departmentPatch,
  user,
  userCreate,
  userListQuery,
  userPatch,
  passwordReset,
  userCreated,
} from './schema.js';

const idParam = z.object({ id: z.uuid() });

export function adminRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/departments',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['departments'],
        summary: '部门列表 / List departments',
        querystring: pageQuery.extend(departmentListQuery.shape),
        response: { 200: pageOf(department) },
      },
    },
    async (req) => listDepartments(req.ctx, k.db, req.query),
  );

  r.post(
    '/api/v1/departments',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['departments'],
        summary: '新建部门 / Create a department',
        body: departmentCreate,
        response: { 201: department },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => createDepartment(req.ctx, tx, req.body))),
  );

  r.get(
    '/api/v1/departments/:id',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['departments'],
        summary: '部门详情 / A department',
        params: idParam,
        response: { 200: department },
      },
    },
    async (req) => getDepartment(req.ctx, k.db, req.params.id),
  );

  r.patch(
    '/api/v1/departments/:id',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['departments'],
        summary: '修改或停用部门 / Update or disable a department',
        params: idParam,
        body: departmentPatch,
        response: { 200: department },
      },
    },
    async (req) => inTx(k.db, (tx) => updateDepartment(req.ctx, tx, req.params.id, req.body)),
  );

  r.get(
    '/api/v1/users',
    {
      config: { access: access.roles('admin', 'officer', 'auditor') },
      schema: {
        tags: ['users'],
        summary: '用户列表 / List users',
        querystring: pageQuery.extend(userListQuery.shape),
        response: { 200: pageOf(user) },
      },
    },
    async (req) => listUsers(req.ctx, k.db, req.query),
  );

  r.post(
    '/api/v1/users',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['users'],
        summary: '新建用户 / Create a user',
        body: userCreate,
        response: { 201: userCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => createUser(req.ctx, tx, req.body))),
  );

  r.get(
    '/api/v1/users/:id',
    {
      config: { access: access.anyUser },
      schema: { tags: ['users'], summary: '用户详情 / A user', params: idParam, response: { 200: user } },
    },
    async (req) => getUser(req.ctx, k.db, req.params.id),
  );

  r.patch(
    '/api/v1/users/:id',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['users'],
        summary: '修改、停用用户或分配角色 / Update, disable or assign roles',
        params: idParam,
        body: userPatch,
        response: { 200: user },
      },
    },
    async (req) => inTx(k.db, (tx) => updateUser(req.ctx, tx, req.params.id, req.body)),
  );

  r.post(
    '/api/v1/users/:id/reset-password',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['users'],
        summary: '重置密码 / Reset a password',
        params: idParam,
        body: z.object({ password: z.string().max(256).optional() }).optional(),
        response: { 200: passwordReset },
      },
    },
    async (req) => inTx(k.db, (tx) => resetPassword(req.ctx, tx, req.params.id, req.body?.password)),
  );
}
