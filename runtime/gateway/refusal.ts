// Why a decoded notification is refused (dead-lettered over AMQP, an error item over HTTP): the
// same coded reason on both paths.
import type { Processed } from './pipeline.js';
import type { PyDict } from '../semantics/pyvalue.js';
import type { Reason } from '../sources/source.js';

/** The coded reason a pipeline result is refused for, or null when it is not refused. */
export function refusalOf(message: PyDict, out: Processed): Reason | null {
  if (out.result.kind !== 'error') return null;
  const rule = out.result.rule ? ` (${out.result.rule})` : '';
  const eventType = message.get('event_type');
  if (eventType === undefined || eventType === null) {
    // Ceilometer fails the same way (fnmatch on None raises TypeError): say what is missing.
    return { code: 'no_event_type', message: `the notification has no event_type (Ceilometer: ${out.result.error})` };
  }
  return { code: 'decode_error', message: `decode error: ${out.result.error}${rule}` };
}
