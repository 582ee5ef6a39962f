import type { MessageProducer } from '../../src/kafka/producer.ts';
import { encodeQueryResult } from '../../src/messages/query-result.ts';
import type { SearchAnswer } from '../../workflows/contracts.ts';

export interface FakeActivities {
  publishFakeAnswer(topic: string, answer: SearchAnswer): Promise<void>;
}

export function createFakeActivities(producer: Pick<MessageProducer, 'send'>): FakeActivities {
  return {
    async publishFakeAnswer(topic, answer) {
      await producer.send(topic, [encodeQueryResult(answer)]);
    },
  };
}
