/** The node's answers to its deployers, published through the notary. */
export { AnswerPublisher, type AnswerPublisherOptions, type AnswerSink, type AnswerStatus } from './publisher';
export { AnswerNotes, ANSWERS_FILE, type AnswerNote } from './notes';
export { resultData } from './result-data';
