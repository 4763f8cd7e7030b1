import { atomicOutcome } from './deployFailure';

// helm 3's own words (pkg/action/upgrade.go, install.go) after --atomic
const UPGRADE_ROLLED_BACK =
  'Error: UPGRADE FAILED: release good failed, and has been rolled back due to atomic being set: context deadline exceeded';
const INSTALL_UNINSTALLED =
  'Error: INSTALLATION FAILED: release good failed, and has been uninstalled due to atomic being set: context deadline exceeded';
const ROLLBACK_FAILED =
  'Error: UPGRADE FAILED: an error occurred while rolling back the release. original upgrade error: context deadline exceeded: timed out';

describe('atomicOutcome', () => {
  const history = [
    { revision: 2, status: 'superseded', description: 'Upgrade complete' },
    {
      revision: 3,
      status: 'failed',
      description: 'Upgrade "good" failed: context deadline exceeded',
    },
    { revision: 4, status: 'deployed', description: 'Rollback to 2' },
  ];

  it('names the revision helm rolled back to', () => {
    expect(atomicOutcome(UPGRADE_ROLLED_BACK, history)).toBe(
      'rolled back to revision 2',
    );
  });

  it('trusts helm’s error when the history cannot be read', () => {
    expect(atomicOutcome(UPGRADE_ROLLED_BACK, undefined)).toBe('rolled back');
  });

  it('says an uninstalled first install and a failed rollback as such', () => {
    expect(atomicOutcome(INSTALL_UNINSTALLED, undefined)).toBe(
      'the new release was uninstalled',
    );
    expect(atomicOutcome(ROLLBACK_FAILED, history.slice(0, 2))).toBe(
      'the rollback failed',
    );
  });

  it('does not claim a rollback that helm does not report', () => {
    const failedOnly = history.slice(0, 2);
    expect(
      atomicOutcome('Error: UPGRADE FAILED: cannot patch "x"', failedOnly),
    ).toBe('helm reports no rollback');
    expect(atomicOutcome('Error: some other failure', undefined)).toBe(
      'helm reports no rollback',
    );
  });
});
