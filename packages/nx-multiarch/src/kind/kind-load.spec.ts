import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DEFAULT_KIND_CLUSTER, kindLoadStep, kindTarget } from './kind-load';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

let dir: string;
let emptyHome: string;

/** A kubeconfig file whose current-context is `context` (or none). */
function kubeconfig(name: string, context: string | undefined): string {
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: v1\nkind: Config\ncontexts: []\n${context === undefined ? '' : `current-context: ${context}\n`}`);
  return path;
}

beforeAll(() => {
  dir = tempDir('nxm-kind-unit-');
  emptyHome = join(dir, 'empty-home');
  mkdirSync(emptyHome);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kindTarget', () => {
  it('is undefined when --kind is absent or false', () => {
    expect(kindTarget(undefined, { KUBECONFIG: kubeconfig('a', 'kind-x') })).toBeUndefined();
    expect(kindTarget(false, { KUBECONFIG: kubeconfig('a', 'kind-x') })).toBeUndefined();
  });

  it('takes an explicit cluster name over any kube-context', () => {
    expect(kindTarget('other', { KUBECONFIG: kubeconfig('b', 'kind-x') })).toEqual({ cluster: 'other', reason: '--kind=other' });
  });

  it('takes the cluster of a kind-<name> kube-context for a bare --kind', () => {
    const target = kindTarget(true, { KUBECONFIG: kubeconfig('c', 'kind-x'), HOME: emptyHome });
    expect(target).toEqual({ cluster: 'x', reason: 'the current kube-context kind-x is a KIND cluster' });
    // --kind=true arrives as a string from some callers: still the bare form.
    expect(kindTarget('true', { KUBECONFIG: kubeconfig('c', 'kind-x') })?.cluster).toBe('x');
  });

  it("falls back to kind's default cluster for a non-KIND kube-context", () => {
    const target = kindTarget(true, { KUBECONFIG: kubeconfig('d', 'prod'), HOME: emptyHome });
    expect(target?.cluster).toBe(DEFAULT_KIND_CLUSTER);
    expect(DEFAULT_KIND_CLUSTER).toBe('kind');
    expect(target?.reason).toContain('prod is not a KIND cluster');
  });

  it("falls back to 'kind' without any kubeconfig, or with no current-context", () => {
    expect(kindTarget(true, { HOME: emptyHome })).toEqual({ cluster: 'kind', reason: expect.stringContaining('(none)') });
    expect(kindTarget(true, { KUBECONFIG: join(dir, 'missing'), HOME: emptyHome })?.cluster).toBe('kind');
    expect(kindTarget(true, { KUBECONFIG: kubeconfig('e', undefined), HOME: emptyHome })?.cluster).toBe('kind');
  });

  it("reads ~/.kube/config when KUBECONFIG is unset, and KUBECONFIG's first existing file when set", () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), 'current-context: kind-home\n');
    expect(kindTarget(true, { HOME: home })?.cluster).toBe('home');
    const list = [join(dir, 'missing'), kubeconfig('f', 'kind-second'), kubeconfig('g', 'kind-third')].join(delimiter);
    expect(kindTarget(true, { KUBECONFIG: list, HOME: home })?.cluster).toBe('second');
  });

  it('does not fail on an unreadable kubeconfig', () => {
    const path = join(dir, 'broken');
    writeFileSync(path, 'current-context: [unclosed\n');
    expect(kindTarget(true, { KUBECONFIG: path, HOME: emptyHome })?.cluster).toBe('kind');
  });
});

describe('kindLoadStep', () => {
  it('is kind load image-archive <archive> --name <cluster>, as an argv', () => {
    expect(kindLoadStep('/tmp/x/image.tar', 'dev').argv).toEqual(['kind', 'load', 'image-archive', '/tmp/x/image.tar', '--name', 'dev']);
  });
});
