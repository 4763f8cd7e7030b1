import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { DeploymentHealthService } from './DeploymentHealthService';
import { TimelineService } from './timeline';

/**
 * Thin HTTP layer: authenticate, parse parameters, delegate. Permission
 * checks live in DeploymentHealthService; errors (NotAllowedError ->
 * 403, NotFoundError -> 404, AuthenticationError -> 401) are mapped by the
 * backend's error handler.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  health: DeploymentHealthService;
  timeline: TimelineService;
}): Promise<express.Router> {
  const { httpAuth, health, timeline } = options;
  const router = Router();

  router.get('/entity/:namespace/:kind/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { namespace, kind, name } = req.params;
    res.json(
      await health.getEntityHealth({ namespace, kind, name }, credentials),
    );
  });

  router.get('/entity/:namespace/:kind/:name/timeline', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { namespace, kind, name } = req.params;
    const query = (key: string) =>
      typeof req.query[key] === 'string'
        ? (req.query[key] as string)
        : undefined;
    res.json(
      await timeline.getEntityTimeline(
        { namespace, kind, name },
        {
          cluster: query('cluster'),
          limit: query('limit'),
          before: query('before'),
        },
        credentials,
      ),
    );
  });

  router.get('/group/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { namespace, name } = req.params;
    const includeChildren = req.query.includeChildren === 'true';
    const details = req.query.details === 'true';
    res.json(
      await health.getGroupHealth(
        { namespace, kind: 'group', name },
        { includeChildren, details },
        credentials,
      ),
    );
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await health.getClusters(credentials));
  });

  return router;
}
