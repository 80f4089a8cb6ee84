/** Hints that errors from commands carry: what to install, how to log in, how to register QEMU. */
const INSTALL_HINTS: Record<string, string> = {
  podman:
    'Install podman >= 3.4 (Debian/Ubuntu: apt-get install podman), or install docker with the buildx plugin and set engine to docker.',
  docker: 'Install docker with the buildx plugin, or install podman >= 3.4 (apt-get install podman) and set engine to podman.',
  skopeo: 'docker-push uses skopeo to push the OCI layout: install it (Debian/Ubuntu: apt-get install skopeo).',
  git: 'Install git.',
  kind: 'docker-build-single --kind loads the image with kind: install it (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or drop --kind.',
  ctr: 'Install containerd (Debian/Ubuntu: apt-get install containerd).',
};

export function installHint(tool: string): string {
  return INSTALL_HINTS[tool] ?? `Install ${tool}.`;
}

export const QEMU_HINT =
  'A RUN step for a foreign architecture failed with "exec format error": QEMU user emulation is not registered with binfmt_misc. ' +
  'Register it: apt-get install qemu-user-static binfmt-support && mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable qemu-aarch64 ' +
  '(or: podman run --rm --privileged docker.io/tonistiigi/binfmt --install all). ' +
  'Better still, cross-compile in a stage on $BUILDPLATFORM so nothing runs emulated.';

/** The registry a command talks to, from its docker:// argument. */
function registryOf(argv: readonly string[]): string | undefined {
  const reference = argv.find((arg) => arg.startsWith('docker://'));
  return reference?.slice('docker://'.length).split('/')[0];
}

export function loginHint(registry = '<registry>'): string {
  return (
    `${registry} refused the request as unauthorized: log in first with podman login ${registry} (or skopeo login ${registry}); ` +
    'credentials are read from REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json or ~/.docker/config.json, never from the command line.'
  );
}

/** Extra guidance for well-known failure output. */
export function hintFor(output: string, argv: readonly string[] = []): string | undefined {
  if (/exec format error/i.test(output)) return QEMU_HINT;
  if (/unauthorized|authentication required|status: 401|401 Unauthorized/i.test(output)) return loginHint(registryOf(argv));
  if (/connection refused|no such host|i\/o timeout|network is unreachable|no route to host/i.test(output) && registryOf(argv)) {
    const registry = registryOf(argv);
    return `Cannot reach the registry ${registry}: check it is running and that the registry option (or IMG) names the right host:port.`;
  }
  if (/x509:|certificate|tls: |http: server gave HTTP response to HTTPS client/i.test(output)) {
    const registry = registryOf(argv) ?? 'the registry';
    return `TLS with ${registry} failed. If it serves plain HTTP or a private CA, set tlsVerify: false for it (a warning is printed), or trust its CA (/etc/containers/certs.d/${registry}/ca.crt).`;
  }
  return undefined;
}
