import { proxyActivities } from '@temporalio/workflow';
import type { ProbeActivities } from './probe-activities.ts';

const { writeAndReadPoint } = proxyActivities<ProbeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** The stack probe: one activity that writes a point to Qdrant and reads it back. */
export async function stackProbe(input: { collection: string; message: string }): Promise<string> {
  return writeAndReadPoint(input.collection, input.message);
}
