/**
 * Rule `unpinned-image`: `docker run` / `podman run` (also `nerdctl`, `container run`) of an image without a
 * `@sha256:` digest. Tags are mutable: whoever controls the registry repository changes the code that runs.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { argv } from './argv';

const ENGINES = new Set(['docker', 'podman', 'nerdctl', 'finch']);
/** `docker run` options that take a separate value (Docker CLI reference, `docker container run`). */
const VALUE_OPTS = new Set([
  '-a', '--attach', '--add-host', '--annotation', '--blkio-weight', '--cap-add', '--cap-drop', '--cgroup-parent', '--cgroupns',
  '--cidfile', '--cpu-period', '--cpu-quota', '--cpu-shares', '-c', '--cpus', '--cpuset-cpus', '--cpuset-mems', '--device',
  '--device-cgroup-rule', '--dns', '--dns-option', '--dns-search', '--domainname', '--entrypoint', '-e', '--env', '--env-file',
  '--expose', '--gpus', '--group-add', '--health-cmd', '--health-interval', '--health-retries', '--health-start-period',
  '--health-timeout', '-h', '--hostname', '--ip', '--ip6', '--ipc', '--isolation', '--kernel-memory', '-l', '--label',
  '--label-file', '--link', '--log-driver', '--log-opt', '--mac-address', '-m', '--memory', '--memory-reservation',
  '--memory-swap', '--mount', '--name', '--network', '--net', '--network-alias', '--oom-score-adj', '--pid', '--pids-limit',
  '--platform', '-p', '--publish', '--pull', '--restart', '--runtime', '--security-opt', '--shm-size', '--stop-signal',
  '--stop-timeout', '--storage-opt', '--sysctl', '--tmpfs', '--ulimit', '-u', '--user', '--userns', '--uts', '-v', '--volume',
  '--volume-driver', '--volumes-from', '-w', '--workdir', '--arch', '--os', '--secret', '--pod', '--hooks-dir',
]);
const DIGEST = /@sha256:[0-9a-f]{64}$/i;

/** See the file comment. Severity medium; pointer at the image token. */
export const unpinnedImage: LaunchRule = {
  id: 'unpinned-image',
  description: 'docker/podman run of a container image without an @sha256: digest.',
  check(spec: ServerSpec): Finding[] {
    const tokens = argv(spec);
    for (let i = 0; i < tokens.length && i < 8; i++) {
      if (!ENGINES.has(tokens[i]!.program)) continue;
      let j = i + 1;
      // global options before the subcommand (`docker --context x run`)
      while (j < tokens.length && tokens[j]!.text.startsWith('-')) j += /^--?\w[\w-]*$/.test(tokens[j]!.text) && !tokens[j]!.text.includes('=') ? 2 : 1;
      if (tokens[j]?.text === 'container') j++;
      if (tokens[j]?.text !== 'run' && tokens[j]?.text !== 'create') return [];
      for (j++; j < tokens.length; j++) {
        const t = tokens[j]!.text;
        if (t === '--') {
          j++;
          break;
        }
        if (!t.startsWith('-')) break;
        if (!t.includes('=') && VALUE_OPTS.has(t)) j++;
      }
      const image = tokens[j];
      if (!image) return [];
      if (DIGEST.test(image.text)) return [];
      return [
        finding('unpinned-image', 'medium', `container image ${snippet(image.text, 100)} has no @sha256: digest: the image that runs can change at any launch`, image.pointer),
      ];
    }
    return [];
  },
};
