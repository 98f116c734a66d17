/**
 * The shape of every bench's result record (bench/results/<name>.json), in one place: run.ts checks
 * each record against its schema before writing it, and tests/unit/bench-results.test.ts checks the
 * committed files against the same schemas. Objects are strict: a field added to or removed from a
 * bench's output must be added here, and then the committed file fails the test until the bench is
 * run again (a result never silently lags the code that claims it).
 */
import { z } from 'zod';

const num = z.number();
const numOrNull = z.number().nullable();
const ms = z.number().nonnegative();

/** The part run.ts writes around every bench's own result. */
function envelope<T extends z.ZodType>(name: string, result: T) {
  return z
    .object({
      name: z.literal(name),
      at: z.iso.datetime(),
      code: z
        .object({
          /** The commit checked out when the bench ran. */
          commit: z.string().regex(/^[0-9a-f]{40}$|^unknown$/),
          /** Whether the working tree differed from it (results aside), and where. */
          dirty: z.boolean(),
          dirty_paths: z.array(z.string()),
        })
        .strict(),
      machine: z
        .object({
          cpus: z.number().int().positive(),
          cpu: z.string(),
          node: z.string(),
          mem_gb: num,
          loadavg_1m_at_start: num,
        })
        .strict(),
      seconds: ms,
      result,
    })
    .strict();
}

const crmStats = z.object({ n: z.number().int().positive(), p50: ms, p95: ms, max: ms }).strict();
const crm = z
  .object({
    dataset: z.record(z.string(), z.number().int().nonnegative()),
    demo: z.object({ built: z.boolean(), buildMs: numOrNull }).strict(),
    targets_ms_p95: z
      .object({
        search: num,
        list: num,
        timeline: num,
        dashboard: num,
        reports: num,
        calendar: num,
        board: num,
      })
      .strict(),
    customer_search: crmStats,
    customer_list_page: crmStats,
    customer_timeline: crmStats,
    dashboard: crmStats,
    global_search: crmStats,
    customer_page: crmStats,
    reports: crmStats,
    reports_by_range: z.record(z.string(), crmStats),
    calendar_week: crmStats,
    deals_board: crmStats,
    pass: z
      .object({
        search: z.boolean(),
        list: z.boolean(),
        timeline: z.boolean(),
        dashboard: z.boolean(),
        reports: z.boolean(),
        calendar: z.boolean(),
        board: z.boolean(),
      })
      .strict(),
    query_plans: z.record(z.string(), z.array(z.string())),
  })
  .strict();

const voiceRealtime = z
  .object({
    fake_model_first_audio_ms: num,
    vad_silence_ms: num,
    turns: z.number().int().positive(),
    first_audio_p50_ms: num,
    first_audio_p95_ms: num,
    server_t_first_audio_p50_ms: num,
    server_t_vad_mean_ms: num,
    overhead_p50_ms: num,
    overhead_p95_ms: num,
    target_overhead_p95_ms: num,
    overhead_within_target: z.boolean(),
  })
  .strict();

const check = z.object({ value: numOrNull, bound: num, ok: z.boolean() }).strict();
const concurrencyStep = z
  .object({
    calls: z.number().int().positive(),
    inbound_frames: z.number().int().nonnegative(),
    inbound_handling_p50_ms: ms,
    inbound_handling_p99_ms: ms,
    inbound_handling_max_ms: ms,
    event_loop_delay_p99_ms: ms,
    event_loop_delay_max_ms: ms,
    calls_with_exact_audio: z.number().int().nonnegative(),
    server_cpu_pct: num,
    gc_count: num,
    gc_total_ms: ms,
    gc_max_ms: ms,
    server_fillers: num,
    server_filler_sources: z.record(z.string(), num),
    calls_with_filler: num,
    calls_hearing_filler: num,
    calls_with_repeated_answer: num,
    answer_first_audio_p50_ms: numOrNull,
    answer_first_audio_p95_ms: numOrNull,
    after_call_summary_failures: z.number().int().nonnegative(),
    after_call_summaries_from_model: z.number().int().nonnegative(),
    server_warnings: z.record(z.string(), num),
    bad_examples: z.array(z.record(z.string(), z.unknown())),
    world_seconds: ms,
    world_lag_max_ms: num,
    world_cpu_pct: num,
    checks: z
      .object({
        every_call_exact_audio: check,
        every_call_answered: check,
        answer_first_audio_p95_ms: check,
        event_loop_delay_max_ms: check,
        event_loop_delay_p99_ms: check,
        inbound_handling_p99_ms: check,
        after_call_summaries: check,
      })
      .strict(),
    failed_checks: z.array(z.string()),
    pass: z.boolean(),
  })
  .strict();
const voiceConcurrency = z
  .object({
    steps_requested: z.array(z.number().int().positive()),
    warmup: z.object({ calls: num, calls_with_exact_audio: num }).strict().nullable(),
    steps: z.array(concurrencyStep).min(1),
    max_calls_passing: z.number().int().nonnegative(),
    first_failing_step: z
      .object({ calls: num, failed_checks: z.array(z.string()) })
      .strict()
      .nullable(),
    target_calls: num,
    meets_target: z.boolean(),
    pass_rule: z.record(z.string(), z.union([z.string(), num])),
  })
  .strict()
  .refine(
    (r) => {
      // The reported N passed, and so did every smaller step.
      const sorted = [...r.steps].sort((a, b) => a.calls - b.calls);
      const firstFail = sorted.findIndex((s) => !s.pass);
      const prefix = firstFail < 0 ? sorted : sorted.slice(0, firstFail);
      return r.max_calls_passing === (prefix.at(-1)?.calls ?? 0);
    },
    { message: 'max_calls_passing is not the largest N with every step up to it passing' },
  )
  .refine((r) => r.steps.every((s) => s.pass === Object.values(s.checks).every((c) => c.ok)), {
    message: 'a step passed with a failed check (or failed with every check ok)',
  });

const startTimes = z
  .object({ ready_median_ms: ms, healthz_median_ms: ms, ready_all_ms: z.array(ms).min(1) })
  .strict();
const startup = z
  .object({
    runs: z.number().int().positive(),
    customers: z.number().int().positive(),
    headless_build_commit: z.string(),
    ready_means: z.string(),
    cold_means: z
      .object({ warm_cache: z.string(), db_evicted: z.string(), all_caches_dropped: z.string() })
      .strict(),
    db_bytes: z.number().int().positive(),
    db_bytes_cached_before_start: z
      .object({
        db_evicted: z.array(z.number().int().nonnegative().nullable()),
        all_caches_dropped: z.array(z.number().int().nonnegative().nullable()).nullable(),
      })
      .strict(),
    empty_db: startTimes,
    seeded_db: z
      .object({ warm_cache: startTimes, db_evicted: startTimes, all_caches_dropped: startTimes.nullable() })
      .strict(),
    target_ms: num,
    meets_target: z
      .object({
        warm_cache: z.boolean(),
        db_evicted: z.boolean(),
        all_caches_dropped: z.boolean().nullable(),
      })
      .strict(),
  })
  .strict();

const dist = z.object({ p50: num, p95: num, max: num }).strict();
const distOrNull = z.object({ p50: numOrNull, p95: numOrNull, max: numOrNull }).strict();
const latencyRow = z
  .object({
    asr_mode: z.enum(['speculative', 'streaming']),
    preemptive_generation: z.boolean(),
    turns: z.number().int().positive(),
    caller_first_audio_ms: dist,
    critical_path_fake_delays_ms: z.record(z.string(), num),
    critical_path_fake_sum_ms: num,
    first_audio_above_fakes_ms: dist,
    above_fakes_within_target: z.boolean(),
    server_first_frame_ms: dist,
    stage_ms: z
      .object({
        vad_silence: dist,
        transcript_wait: dist,
        llm_to_first_clause: dist,
        llm_first_token: dist,
        tts_first_clause: dist,
        // NaN (no such turn) is written as null.
        speculation_requested: distOrNull,
        speculative_transcript: distOrNull,
        llm_start_before_decision: distOrNull,
      })
      .strict(),
    vad_counted_minus_wall_mean_ms: num,
    bound_by: z
      .object({ decision: z.number().int().nonnegative(), preempted_audio: z.number().int().nonnegative() })
      .strict(),
    overhead_ms: dist,
    overhead_min_ms: num,
    overhead_parts_p95_ms: z
      .object({ transcript_to_llm_request: num, audio_ready_to_first_frame: num })
      .strict(),
    overhead_noise_bound_ms: num,
    overhead_never_negative: z.boolean(),
    in_stage_excess_p95_ms: z.record(z.string(), num),
    llm: z
      .object({
        requests: z.number().int().nonnegative(),
        requests_per_turn: num,
        preempted_turns: z.number().int().nonnegative(),
        wasted: z.number().int().nonnegative(),
        wasted_per_turn: num,
      })
      .strict(),
    transcription_uploads: z.number().int().nonnegative(),
    live_transcription_commits: z.number().int().nonnegative(),
  })
  .strict()
  .refine((r) => r.overhead_never_negative === r.overhead_min_ms >= -r.overhead_noise_bound_ms, {
    message: 'overhead_never_negative does not match overhead_min_ms',
  })
  .refine((r) => r.bound_by.decision + r.bound_by.preempted_audio === r.turns, {
    message: 'bound_by does not count every turn',
  });
const voiceLatency = z
  .object({
    fake_delays: z.record(z.string(), num),
    answer_chars: num,
    turns_per_row: z.number().int().positive(),
    percentiles: z.literal('nearest rank'),
    speculative_at_ms: num,
    streaming: latencyRow,
    streaming_live_asr: latencyRow,
    streaming_no_preempt: latencyRow,
    sequential: latencyRow,
    target_above_fakes_ms: num,
    above_fakes_within_target: z.boolean(),
    preemption_gain_first_frame_p50_ms: num,
    live_asr_vs_speculative_first_frame_p50_ms: num,
    speedup_p50: num,
    target_overhead_p95_ms: num,
    overhead_within_target: z.boolean(),
    overhead_never_negative: z.boolean(),
    greeting_first_frame_ms: z
      .object({
        calls: z.number().int().positive(),
        p50: num,
        p95: num,
        max: num,
        target_ms: num,
        within_target: z.boolean(),
      })
      .strict()
      .refine((g) => g.within_target === g.p95 < g.target_ms, {
        message: 'greeting within_target does not match p95',
      }),
  })
  .strict()
  .refine(
    (r) =>
      r.above_fakes_within_target ===
      (r.streaming.first_audio_above_fakes_ms.p50 <= r.target_above_fakes_ms &&
        r.streaming_live_asr.first_audio_above_fakes_ms.p50 <= r.target_above_fakes_ms),
    { message: 'above_fakes_within_target does not match the rows' },
  );

const whatsapp = z
  .object({
    dataset: z.record(z.string(), z.number().int().nonnegative()),
    demo: z.object({ built: z.boolean(), buildMs: numOrNull }).strict(),
    targets_ms_p95: z.object({ list: num, search: num, thread: num, inbound_visible: num }).strict(),
    conversations_first_pages: crmStats,
    conversations_deep_pages: crmStats,
    conversations_unread: crmStats,
    conversations_search: crmStats,
    thread_open: crmStats,
    thread_older_page: crmStats,
    inbound_to_visible: crmStats,
    send_to_queued: crmStats,
    outbox_overhead_per_message: crmStats,
    outbox_sent: z.number().int().nonnegative(),
    pass: z
      .object({ list: z.boolean(), search: z.boolean(), thread: z.boolean(), inbound_visible: z.boolean() })
      .strict(),
    query_plans: z.record(z.string(), z.array(z.string())),
  })
  .strict();

/** bench/pdf.bench.ts: our renderer against the Chromium print route, one and five pages. */
const pdfStats = z.object({ n: z.number().int().positive(), median: ms, min: ms, max: ms }).strict();
const pdfSize = z
  .object({
    ours: z
      .object({
        pages: z.number().int().positive(),
        bytes: z.number().int().positive(),
        cold_ms: pdfStats,
        cold_import_ms: pdfStats,
        warm_ms: pdfStats,
        warm_cpu_ms: pdfStats,
      })
      .strict(),
    chromium: z.object({ pages: z.number().int().positive(), cold_ms: pdfStats, warm_ms: pdfStats }).strict(),
  })
  .strict();
const pdfBench = z
  .object({
    five_page_lines: z.number().int().positive(),
    one_page: pdfSize,
    five_page: pdfSize,
    speedup: z
      .object({ one_page_warm: num, one_page_cold: num, five_page_warm: num, five_page_cold: num })
      .strict(),
    targets: z.object({ warm_one_page_ms: num, speedup_vs_chromium: num }).strict(),
    pass: z.object({ warm_one_page: z.boolean(), speedup: z.boolean() }).strict(),
  })
  .strict();

const probeStats = z
  .object({
    probes: z.number().int().nonnegative(),
    api_p50_ms: ms,
    api_p95_ms: ms,
    api_max_ms: ms,
    loop_delay_p99_ms: ms,
    loop_delay_max_ms: ms,
  })
  .strict();
const backupBench = z
  .object({
    dataset: z.record(z.string(), z.number().int().nonnegative()),
    demo: z.object({ built: z.boolean(), buildMs: numOrNull }).strict(),
    db_bytes: z.number().int().positive(),
    files: z.number().int().nonnegative(),
    files_bytes: z.number().int().nonnegative(),
    archive_bytes: z.number().int().positive(),
    backup_ms: ms,
    restore_check_and_stage_ms: ms,
    restore_apply_ms: ms,
    restored_customers: z.number().int().nonnegative(),
    kept_aside: z.boolean(),
    idle: probeStats,
    during_backup: probeStats,
    during_restore_check: probeStats,
    target_max_delay_ms: num,
    worst_delay_ms: ms,
    within_target: z.boolean(),
  })
  .strict()
  .refine(
    (r) => r.within_target === r.worst_delay_ms <= r.target_max_delay_ms,
    'within_target must follow the figures',
  );

const vadStats = z.object({ n: z.number().int().nonnegative(), mean: numOrNull, max: numOrNull }).strict();
const vadCounts = z
  .object({ onsets: z.number().int().nonnegative(), confirmed: z.number().int().nonnegative() })
  .strict();
const vadDetector = z
  .object({
    cpu_us_per_frame_1_call: num,
    cpu_us_per_frame_50_calls: num,
    onset_delay_ms: vadStats,
    end_delay_after_window_ms: vadStats,
    segments: z.number().int().positive(),
    missed_segments: z.number().int().nonnegative(),
    extra_utterances: z.number().int().nonnegative(),
    noise_10s: vadCounts,
    coughs_3: vadCounts,
    per_line: z.record(z.string(), z.object({ onsets_ms: z.array(num), ends_ms: z.array(num) }).strict()),
  })
  .strict();
const vadBench = z
  .object({
    frame_ms: num,
    window_ms: num,
    end_window_ms: num,
    concurrent_calls: z.number().int().positive(),
    loop_cpu_us_per_frame: z.object({ one_call: num, calls_50: num }).strict(),
    fixtures: z.array(z.object({ name: z.string(), speech_ms: z.array(z.tuple([num, num])) }).strict()),
    detectors: z
      .object({ energy: vadDetector, 'silero-8k': vadDetector, 'silero-16k': vadDetector })
      .strict(),
  })
  .strict();

/** bench/turn-taking.bench.ts: Hebrew turn taking per VAD × end of turn. */
const shareOf = z
  .object({ count: z.number().int().nonnegative(), of: z.number().int().nonnegative(), pct: num })
  .strict();
const turnDist = z.object({ n: z.number().int().nonnegative(), p50: numOrNull, p95: numOrNull }).strict();
const turnKindRow = z
  .object({
    turns: z.number().int().nonnegative(),
    cut_ins: z.number().int().nonnegative(),
    unanswered: z.number().int().nonnegative(),
    end_of_turn_p50_ms: numOrNull,
    first_audio_p50_ms: numOrNull,
  })
  .strict();
const turnConfig = z
  .object({
    vad: z.enum(['energy', 'silero-8k', 'silero-16k']),
    end_of_turn: z.enum(['fixed', 'adaptive']),
    turns: z.number().int().positive(),
    false_cut_ins: shareOf,
    false_cut_ins_in_turns_with_pauses: shareOf,
    missed_short_replies: shareOf,
    unanswered_turns: z.number().int().nonnegative(),
    turns_recorded_on_part_of_a_turn: z.number().int().nonnegative(),
    cut_in_turn_ids: z.array(z.string()),
    unanswered_turn_ids: z.array(z.string()),
    false_barge_ins: shareOf,
    backchannel_pause_ms: turnDist,
    end_of_turn_ms: turnDist,
    first_audio_ms: turnDist,
    by_kind: z.record(z.string(), turnKindRow),
    event_loop_delay_p99_ms: num,
    loadavg_1m: num,
    seconds: ms,
  })
  .strict();
const turnTaking = z
  .object({
    corpus: z
      .object({
        turns: z.number().int().positive(),
        by_kind: z.record(z.string(), z.number().int().nonnegative()),
        caller_audio_s: num,
        line_noise_peak_dbfs: num,
        cached: z.boolean(),
        generate_s: ms,
      })
      .strict(),
    calls_per_config: z.number().int().positive(),
    fake_delays_ms: z.record(z.string(), num),
    percentiles: z.literal('nearest rank'),
    asr_uploads: z.number().int().nonnegative(),
    asr_uploads_without_speech: z.number().int().nonnegative(),
    configs: z.array(turnConfig).min(1),
  })
  .strict();

export const resultSchemas: Record<string, z.ZodType> = {
  crm: envelope('crm', crm),
  'voice-realtime': envelope('voice-realtime', voiceRealtime),
  'voice-concurrency': envelope('voice-concurrency', voiceConcurrency),
  'voice-latency': envelope('voice-latency', voiceLatency),
  startup: envelope('startup', startup),
  pdf: envelope('pdf', pdfBench),
  whatsapp: envelope('whatsapp', whatsapp),
  backup: envelope('backup', backupBench),
  vad: envelope('vad', vadBench),
  'turn-taking': envelope('turn-taking', turnTaking),
};
