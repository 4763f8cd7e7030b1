import { readsServed } from './apiServerReads.mjs';

describe('readsServed', () => {
  it('sums LIST and GET of the counted resources, nothing else', () => {
    const metrics = [
      '# HELP apiserver_request_total Counter of apiserver requests',
      'apiserver_request_total{code="200",resource="pods",verb="LIST"} 3',
      'apiserver_request_total{code="200",resource="deployments",verb="GET"} 4',
      'apiserver_request_total{code="200",resource="pods",verb="WATCH"} 100',
      'apiserver_request_total{code="200",resource="secrets",verb="LIST"} 100',
      'apiserver_request_total{code="201",resource="",verb="POST"} 100',
      'apiserver_request_duration_seconds_count{resource="pods",verb="LIST"} 100',
    ].join('\n');
    expect(readsServed(metrics)).toBe(7);
  });
});
