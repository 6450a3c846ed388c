// One epoch's results as a run records them (metrics.jsonl, summary.json, checkpoints, reports).
// A types module of its own: the training loop writes these, and results, checkpoints and reports
// read them, without importing the loop.
export interface EpochRecord {
  epoch: number; // 1-based
  lr: number;
  train_loss: number;
  train_accuracy: number;
  test_loss: number;
  test_accuracy: number;
  /** Timing (not part of the result: a resumed run differs here only). */
  train_images_per_second: number;
  train_seconds: number;
  eval_seconds: number;
  /** Streamed image data only: images decoded per second, and seconds the steps waited for them. */
  data_images_per_second?: number;
  data_wait_seconds?: number;
}

/** The fields of an EpochRecord that measure time rather than the computation. */
export const TIMING_FIELDS = ['train_images_per_second', 'train_seconds', 'eval_seconds', 'data_images_per_second', 'data_wait_seconds'] as const;
