// The processes that make up each path, beside the shared upstream and the load tool.
import { withDescendants } from '../lib/cpu.js';
import type { PathName } from './path.js';
import type { World } from './setup.js';

export function tunnelProcesses(world: World, path: PathName): number[] {
  switch (path) {
    case 'direct':
      return [];
    case 'nginx':
      return withDescendants([world.proxy.child.pid!]);
    case 'ssh -R':
      return withDescendants([world.sshd.child.pid!, world.ssh.client.pid!]);
    case 'ferry':
      return [world.ferry.controller.child.pid!, world.agent.process.child.pid!];
  }
}

