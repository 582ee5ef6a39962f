import { Partitioners, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { sendTraced } from '../telemetry/kafka-context.ts';

/** All in-sync replicas must have a message before a send resolves: nothing acknowledged is lost. */
const ACKS_ALL = -1;

/**
 * The one producer of a process. Idempotent, so a retried send after a lost acknowledgement does not
 * write a message twice; sends resolve only once every in-sync replica has the messages.
 */
export class MessageProducer {
  readonly #producer: Producer;
  #connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.#producer = kafka.producer({
      idempotent: true,
      // kafkajs numbers idempotent batches per request; with more than one request in flight a
      // retried one can arrive after its successor and fail with OUT_OF_ORDER_SEQUENCE_NUMBER.
      maxInFlightRequests: 1,
      // Topics are created by `embedstream topics create` with their partitions and settings; a
      // typo in a topic name must fail loudly instead of auto-creating a topic with broker defaults.
      allowAutoTopicCreation: false,
      // kafkajs 2's default (murmur2 of the key, as the Java client): a document's messages stay in order.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connects once; later calls share the first attempt. */
  connect(): Promise<void> {
    this.#connected ??= this.#producer.connect().catch((err: unknown) => {
      this.#connected = undefined;
      throw err;
    });
    return this.#connected;
  }

  /**
   * Publishes `messages` to `topic`. Each message gets a `send <topic>` span and carries its
   * context in W3C trace-context headers, so the consumer links its work to this send. The spans
   * start traces of their own, linked to the caller's, unless `inCallerTrace` (a reply).
   */
  async send(
    topic: string,
    messages: Message[],
    options: { inCallerTrace?: boolean } = {},
  ): Promise<RecordMetadata[]> {
    await this.connect();
    return sendTraced(this.#producer, { topic, messages, acks: ACKS_ALL }, options);
  }

  /** Publishes messages with their headers exactly as given (dead letters keep the original trace context). */
  async sendAsIs(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    await this.connect();
    return this.#producer.send({ topic, messages, acks: ACKS_ALL });
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = undefined;
    await this.#producer.disconnect();
  }
}
