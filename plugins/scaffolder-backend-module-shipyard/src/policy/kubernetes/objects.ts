/*
 * Checks of the objects that point at workloads: each must find what it
 * points at in the same chart (Service selectors, Ingress backends, HPA
 * targets, PDB selectors), and Ingresses and HPAs have baselines of their own.
 */
import { issueIf, ObjectCheck, selectorMatches } from './model';

const serviceSelectsPods: ObjectCheck = (s, chart) => {
  const selector = s.spec?.selector;
  return issueIf(
    s.spec?.type !== 'ExternalName' &&
      selector &&
      !chart.podLabelSets.some(l =>
        selectorMatches({ matchLabels: selector }, l),
      ),
    'k8s.service.selector',
    'selector matches no pod template in the chart',
  );
};

const ingressBackends: ObjectCheck = (ingress, chart) => {
  const spec = ingress.spec ?? {};
  const backends: any[] = [
    ...(spec.defaultBackend ? [spec.defaultBackend] : []),
    ...(spec.rules ?? []).flatMap((r: any) =>
      (r.http?.paths ?? []).map((p: any) => p.backend),
    ),
  ];
  if (backends.length === 0) {
    return issueIf(true, 'k8s.ingress.backend', 'no backend service');
  }
  return backends.flatMap(b => {
    const name = b?.service?.name;
    const svc = chart.ofKind('Service').find(s => s.metadata?.name === name);
    if (!svc) {
      return issueIf(
        true,
        'k8s.ingress.backend',
        `backend service "${name ?? ''}" is not defined in the chart`,
      );
    }
    const port = b.service.port ?? {};
    const ports: any[] = svc.spec?.ports ?? [];
    return issueIf(
      (port.name !== undefined && !ports.some(p => p.name === port.name)) ||
        (port.number !== undefined && !ports.some(p => p.port === port.number)),
      'k8s.ingress.backend',
      `backend port ${
        port.name ?? port.number
      } is not a port of Service/${name}`,
    );
  });
};

const ingressTls: ObjectCheck = ingress => {
  const spec = ingress.spec ?? {};
  if (!spec.tls || spec.tls.length === 0) {
    return issueIf(true, 'k8s.ingress.tls', 'no TLS configured (spec.tls)');
  }
  const tlsHosts = new Set<string>(spec.tls.flatMap((t: any) => t.hosts ?? []));
  // A rule without a host answers every host name, which no certificate of
  // spec.tls names, so it is not covered either.
  return (spec.rules ?? []).flatMap((r: any) =>
    issueIf(
      !tlsHosts.has(r.host),
      'k8s.ingress.tls',
      r.host
        ? `host ${r.host} is not covered by spec.tls`
        : 'a rule without host is not covered by spec.tls (set rules[].host)',
    ),
  );
};

/** The HPA reacts within 30 s. */
const hpaScaleUp: ObjectCheck = hpa => {
  const scaleUp = hpa.spec?.behavior?.scaleUp;
  if (!scaleUp) {
    return issueIf(
      true,
      'k8s.hpa.scale-up',
      'set behavior.scaleUp so scale-up reacts within 30 s',
    );
  }
  const policies: any[] = scaleUp.policies ?? [];
  return [
    ...issueIf(
      (scaleUp.stabilizationWindowSeconds ?? 0) > 30,
      'k8s.hpa.scale-up',
      `behavior.scaleUp.stabilizationWindowSeconds is ${scaleUp.stabilizationWindowSeconds}, must be ≤ 30`,
    ),
    ...issueIf(
      scaleUp.selectPolicy === 'Disabled',
      'k8s.hpa.scale-up',
      'behavior.scaleUp.selectPolicy must not be Disabled',
    ),
    ...issueIf(
      policies.length && !policies.some(p => (p.periodSeconds ?? 0) <= 30),
      'k8s.hpa.scale-up',
      'no behavior.scaleUp policy has periodSeconds ≤ 30',
    ),
  ];
};

const hpaTarget: ObjectCheck = (hpa, chart) => {
  const ref = hpa.spec?.scaleTargetRef ?? {};
  return issueIf(
    !chart.workloads.some(
      w => w.kind === ref.kind && w.metadata?.name === ref.name,
    ),
    'k8s.hpa.target',
    `scaleTargetRef ${ref.kind}/${ref.name} is not defined in the chart`,
  );
};

const pdbSelectsPods: ObjectCheck = (pdb, chart) =>
  issueIf(
    !chart.podLabelSets.some(l => selectorMatches(pdb.spec?.selector, l)),
    'k8s.pdb',
    'selector matches no pod template in the chart',
    'warning',
  );

/** The objects that point at workloads, kind by kind in this order. */
export const OBJECT_CHECKS: [kind: string, checks: ObjectCheck[]][] = [
  ['Service', [serviceSelectsPods]],
  ['Ingress', [ingressBackends, ingressTls]],
  ['HorizontalPodAutoscaler', [hpaScaleUp, hpaTarget]],
  ['PodDisruptionBudget', [pdbSelectsPods]],
];
