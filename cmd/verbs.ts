// The list of verbs, in help order. Each module is thin: flags, help, then a lazy call into lib/.
import { status } from './status.ts';
import { diff } from './diff.ts';

export const verbs = [status, diff];
