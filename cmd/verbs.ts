// The list of verbs, in help order. Each module is thin: flags, help, then a lazy call into lib/.
import { status } from './status.ts';
import { diff } from './diff.ts';
import { heal } from './heal.ts';
import { switchover } from './switchover.ts';
import { dump } from './dump.ts';
import { version } from './version.ts';
import { rbac } from './rbac.ts';
import { completion } from './completion.ts';

export const verbs = [status, diff, heal, switchover, dump, rbac, version, completion];
