/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotpath-threads.c: every thread of the process (section "threads").
 *
 * No code needed in the program: a thread of the profiler's own,
 * "hotpath-threads", reads /proc/self/task every HOTPATH_THREADS_INTERVAL_MS
 * (default 500): each thread's name (as g_thread_new() or
 * pthread_setname_np() set it), state, and CPU time (schedstat, in ns;
 * utime + stime from stat where schedstat is missing). CPU % is the CPU
 * time over the last interval. A thread that is gone keeps its row, with
 * state "exited" and the figures of its last sample. Nothing here touches
 * the application's main context or its threads.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hotpath-alloc-core-private.h"
#include "hotpath-clock-private.h"
#include "hotpath-collector-private.h"
#include "hotpath-env-private.h"
#include "hotpath-flow-private.h"
#include "hotpath-registry-private.h"
#include "hotpath-snapshot-private.h"

#define DEFAULT_INTERVAL_MS 500
#define MAX_EXITED          256   /* exited threads kept; the oldest go first */

typedef struct
{
  guint    id;
  guint64  tid;
  char    *name;
  char     state;            /* the kernel's letter; 'x' once gone */
  guint64  cpu_ns;           /* total CPU time at the last sample */
  guint64  sampled_at_ns;    /* CLOCK_MONOTONIC */
  double   cpu_percent;      /* over the last interval */
  double   max_cpu_percent;
  guint64  first_cpu_ns;     /* at its first sample this session */
  guint64  first_at_ns;
  gboolean has_alloc;        /* the allocation library counted for it */
  guint64  alloc_bytes;      /* its totals, as last seen */
  guint64  free_bytes;
  guint64  exited_at;        /* sample number it was found gone at */
  guint64  seen;             /* last sample number it was seen at */
} ThreadInfo;

static GMutex      threads_lock;   /* the sampler and the snapshot */
static GHashTable *threads_by_tid; /* tid -> ThreadInfo */
static GPtrArray  *threads;        /* by id; exited ones are dropped oldest first */
static guint       last_id;
static guint64     samples;
static guint64     last_sample_ns;
static gboolean    sampler_running;
static gboolean    session_enabled; /* this session */
static GCond       sampler_cond;   /* never signalled: a timed wait */

/* HOTPATH_THREADS=0 turns the sampler off: no thread of ours, and the
 * section is not available. */
static gboolean
threads_enabled (void)
{
  gboolean enabled = TRUE;

  hotpath_env_get_flag ("HOTPATH_THREADS", &enabled);
  return enabled;
}

static guint
interval_ms (void)
{
  guint value = DEFAULT_INTERVAL_MS;

  hotpath_env_get_uint ("HOTPATH_THREADS_INTERVAL_MS", 3600 * 1000, &value);
  return MAX (value, 10);
}

static gboolean
read_file (const char  *path,
           char        *buffer,
           gsize        size)
{
  FILE *file = fopen (path, "re");
  gsize n;

  if (file == NULL)
    return FALSE;
  n = fread (buffer, 1, size - 1, file);
  fclose (file);
  buffer[n] = '\0';
  return n > 0;
}

/* /proc/self/task/TID/stat: "tid (comm) S ... utime stime ...", where comm
 * may hold spaces and parentheses: it ends at the last ')'. */
static gboolean
read_stat (guint64   tid,
           char    **name,
           char     *state,
           guint64  *cpu_ns)
{
  char path[64];
  char buffer[1024];
  char *open_paren, *close_paren;
  unsigned long long utime = 0, stime = 0;
  char letter = '?';

  g_snprintf (path, sizeof path, "/proc/self/task/%" G_GUINT64_FORMAT "/stat", tid);
  if (!read_file (path, buffer, sizeof buffer))
    return FALSE;

  open_paren = strchr (buffer, '(');
  close_paren = strrchr (buffer, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
    return FALSE;

  /* After ") ": state, then fields 4..13, then utime (14) and stime (15). */
  if (sscanf (close_paren + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
              &letter, &utime, &stime) < 1)
    return FALSE;

  *name = g_strndup (open_paren + 1, close_paren - open_paren - 1);
  *state = letter;

  g_snprintf (path, sizeof path, "/proc/self/task/%" G_GUINT64_FORMAT "/schedstat", tid);
  if (read_file (path, buffer, sizeof buffer))
    *cpu_ns = g_ascii_strtoull (buffer, NULL, 10);
  else
    {
      long hz = sysconf (_SC_CLK_TCK);
      *cpu_ns = (guint64) (utime + stime) * (G_USEC_PER_SEC * 1000 / (hz > 0 ? hz : 100));
    }

  return TRUE;
}

static void
thread_info_free (gpointer data)
{
  ThreadInfo *self = data;

  g_free (self->name);
  g_free (self);
}

/* Called with threads_lock held. */
static void
sample_locked (void)
{
  g_autoptr(GDir) dir = NULL;
  guint64 now = hotpath_clock_now_ns ();
  const char *entry;
  guint n_exited = 0;

  if (threads_by_tid == NULL)
    {
      threads_by_tid = g_hash_table_new (g_int64_hash, g_int64_equal);
      threads = g_ptr_array_new_with_free_func (thread_info_free);
    }

  samples++;
  dir = g_dir_open ("/proc/self/task", 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      guint64 tid = g_ascii_strtoull (entry, NULL, 10);
      g_autofree char *name = NULL;
      guint64 cpu_ns = 0;
      char state = '?';
      ThreadInfo *self;

      if (tid == 0 || !read_stat (tid, &name, &state, &cpu_ns))
        continue;

      self = g_hash_table_lookup (threads_by_tid, &tid);
      if (self == NULL || self->state == 'x')
        {
          if (self != NULL)  /* the kernel reused the id of an exited thread */
            g_hash_table_remove (threads_by_tid, &self->tid);
          self = g_new0 (ThreadInfo, 1);
          self->id = ++last_id;
          self->tid = tid;
          self->first_cpu_ns = cpu_ns;
          self->first_at_ns = now;
          g_ptr_array_add (threads, self);
          g_hash_table_insert (threads_by_tid, &self->tid, self);
        }
      else if (now > self->sampled_at_ns)
        {
          guint64 used = cpu_ns > self->cpu_ns ? cpu_ns - self->cpu_ns : 0;

          self->cpu_percent = 100.0 * (double) used / (double) (now - self->sampled_at_ns);
          self->max_cpu_percent = MAX (self->max_cpu_percent, self->cpu_percent);
        }

      g_free (self->name);
      self->name = g_steal_pointer (&name);
      self->state = state;
      self->cpu_ns = cpu_ns;
      self->sampled_at_ns = now;
      self->seen = samples;
    }

  for (guint i = 0; i < threads->len; i++)
    {
      ThreadInfo *self = g_ptr_array_index (threads, i);

      if (self->state != 'x' && self->seen != samples)
        {
          self->state = 'x';
          self->cpu_percent = 0;
          self->exited_at = samples;
        }
      if (self->state == 'x')
        n_exited++;
    }

  /* Bounded: a program that starts a thread per request keeps the last
   * MAX_EXITED of them. */
  for (guint i = 0; n_exited > MAX_EXITED && i < threads->len;)
    {
      ThreadInfo *self = g_ptr_array_index (threads, i);

      if (self->state == 'x')
        {
          g_hash_table_remove (threads_by_tid, &self->tid);
          g_ptr_array_remove_index (threads, i);
          n_exited--;
        }
      else
        i++;
    }

  last_sample_ns = now;
}

static gpointer
sampler_thread (gpointer data)
{
  guint ms = interval_ms ();

  /* What the sampler allocates is the profiler's, not the program's. */
  hotpath_alloc_internal_enter ();

  g_mutex_lock (&threads_lock);
  while (sampler_running)
    {
      gint64 deadline;

      sample_locked ();

      deadline = g_get_monotonic_time () + (gint64) ms * 1000;
      while (g_get_monotonic_time () < deadline)
        g_cond_wait_until (&sampler_cond, &threads_lock, deadline);

      /* The session ended: stop until the next one starts a sampler. */
      if (__atomic_load_n (&hotpath_recording, __ATOMIC_ACQUIRE) == HOTPATH_RECORDING_OFF)
        sampler_running = FALSE;
    }
  g_mutex_unlock (&threads_lock);

  hotpath_alloc_internal_leave ();

  return NULL;
}

/* ------------------------------------------------------------ worker */

/* A new session: rows start again, and the sampler runs. Called by the
 * collector with its lock held; the sampler never takes that lock. A
 * sampler that saw the last session end has already left its loop (it
 * decides under threads_lock), so a new one can start at once. */
static void
threads_reset (void)
{
  g_mutex_lock (&threads_lock);
  if (threads != NULL)
    {
      g_hash_table_remove_all (threads_by_tid);
      g_ptr_array_set_size (threads, 0);
    }
  session_enabled = threads_enabled ();
  if (session_enabled && !sampler_running)
    {
      GThread *thread = g_thread_try_new ("hotpath-threads", sampler_thread, NULL, NULL);

      if (thread != NULL)
        {
          sampler_running = TRUE;
          g_thread_unref (thread);
        }
    }
  g_mutex_unlock (&threads_lock);
}

/* ---------------------------------------------------------- snapshot */

typedef struct
{
  guint       id;
  guint64     tid;
  char       *name;
  const char *state;
  double      cpu_percent;
  double      max_cpu_percent;
  double      avg_cpu_percent;
  guint64     cpu_time_ns;
  gboolean    has_alloc;
  guint64     alloc_bytes;
  guint64     free_bytes;
} ThreadRow;

static void
thread_row_free (gpointer data)
{
  ThreadRow *row = data;

  g_free (row->name);
  g_free (row);
}

static const char *
state_name (char letter)
{
  switch (letter)
    {
    case 'R': return "running";
    case 'S': case 'I': return "sleeping";
    case 'x': case 'X': case 'Z': return "exited";
    default: return "waiting";   /* D (I/O), T and t (stopped) */
    }
}

static gpointer
threads_snapshot (const HotpathSnapshotContext *context)
{
  GPtrArray *rows;

  g_mutex_lock (&threads_lock);
  if (!session_enabled)
    {
      g_mutex_unlock (&threads_lock);
      return NULL;
    }

  rows = g_ptr_array_new_with_free_func (thread_row_free);
  /* The report at exit, or a client asking between samples, gets figures
   * no older than half an interval. */
  if (threads == NULL || hotpath_clock_now_ns () - last_sample_ns > (guint64) interval_ms () * 500000)
    sample_locked ();

  /* With the allocation library, each live thread's totals; an exited
   * thread keeps the last ones seen. */
  if (context->snapshot != NULL && context->snapshot->alloc != NULL &&
      context->snapshot->alloc->threads != NULL)
    {
      GArray *totals = context->snapshot->alloc->threads;

      for (guint j = 0; j < totals->len; j++)
        {
          const HotpathAllocTotals *t = &g_array_index (totals, HotpathAllocTotals, j);
          guint64 tid = t->thread_id;
          ThreadInfo *info;

          if (tid == 0 || (info = g_hash_table_lookup (threads_by_tid, &tid)) == NULL || info->state == 'x')
            continue;
          info->has_alloc = TRUE;
          info->alloc_bytes = t->alloc_bytes;
          info->free_bytes = t->free_bytes;
        }
    }

  for (guint i = 0; i < threads->len; i++)
    {
      const ThreadInfo *self = g_ptr_array_index (threads, i);
      ThreadRow *row = g_new0 (ThreadRow, 1);

      row->id = self->id;
      row->tid = self->tid;
      row->name = g_strdup (self->name);
      row->state = state_name (self->state);
      row->cpu_percent = self->cpu_percent;
      row->max_cpu_percent = self->max_cpu_percent;
      if (self->sampled_at_ns > self->first_at_ns)
        row->avg_cpu_percent = 100.0 * (double) (self->cpu_ns - MIN (self->first_cpu_ns, self->cpu_ns)) /
                               (double) (self->sampled_at_ns - self->first_at_ns);
      row->cpu_time_ns = self->cpu_ns;
      row->has_alloc = self->has_alloc;
      row->alloc_bytes = self->alloc_bytes;
      row->free_bytes = self->free_bytes;
      g_ptr_array_add (rows, row);
    }
  g_mutex_unlock (&threads_lock);

  return rows;
}

/* --------------------------------------------------------------- rows */

enum { F_ID, F_TID, F_NAME, F_STATE, F_CPU, F_MAX_CPU, F_AVG_CPU, F_CPU_TIME, F_ALLOC, F_FREE, F_DIFF };

static void
thread_row_get (gconstpointer       data,
                const HotpathField *field,
                HotpathValue       *value)
{
  const ThreadRow *row = data;

  switch (field->arg)
    {
    case F_ID: hotpath_value_set_uint (value, row->id); break;
    case F_TID: hotpath_value_set_uint (value, row->tid); break;
    case F_NAME: hotpath_value_set_string (value, row->name); break;
    case F_STATE: hotpath_value_set_string (value, row->state); break;
    case F_CPU: hotpath_value_set_double (value, row->cpu_percent); break;
    case F_MAX_CPU: hotpath_value_set_double (value, row->max_cpu_percent); break;
    case F_AVG_CPU: hotpath_value_set_double (value, row->avg_cpu_percent); break;
    case F_CPU_TIME: hotpath_value_set_uint (value, row->cpu_time_ns); break;
    /* Left out without the allocation library. */
    case F_ALLOC: if (row->has_alloc) hotpath_value_set_uint (value, row->alloc_bytes); break;
    case F_FREE: if (row->has_alloc) hotpath_value_set_uint (value, row->free_bytes); break;
    case F_DIFF: if (row->has_alloc) hotpath_value_set_int (value, (gint64) (row->alloc_bytes - row->free_bytes)); break;
    default: g_assert_not_reached ();
    }
}

static const HotpathField thread_fields[] = {
  { "id", HOTPATH_FIELD_ID, HOTPATH_UNIT_NONE, "The row's id, stable for the life of the process", NULL, NULL, NULL, thread_row_get, F_ID },
  { "name", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "The thread's name (g_thread_new, pthread_setname_np)", "Thread", NULL, NULL, thread_row_get, F_NAME },
  { "tid", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_NONE, "The kernel thread id", "TID", NULL, NULL, thread_row_get, F_TID },
  { "state", HOTPATH_FIELD_TEXT, HOTPATH_UNIT_NONE, "running, sleeping, waiting or exited", "State", NULL, NULL, thread_row_get, F_STATE },
  { "cpu_percent", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT, "CPU use over the last sampling interval (100 = one core)", "CPU %", NULL, NULL, thread_row_get, F_CPU },
  { "max_cpu_percent", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT, "The highest CPU % of any interval", "Max %", NULL, NULL, thread_row_get, F_MAX_CPU },
  { "avg_cpu_percent", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_PERCENT, "Average CPU % since the thread was first seen this session", "Avg %", NULL, NULL, thread_row_get, F_AVG_CPU },
  { "cpu_time_ns", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_NS, "CPU time the thread used since it started", "CPU time", NULL, NULL, thread_row_get, F_CPU_TIME },
  { "alloc_bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "Bytes the thread allocated (with the allocation library)", "Alloc", NULL, NULL, thread_row_get, F_ALLOC },
  { "free_bytes", HOTPATH_FIELD_COUNTER, HOTPATH_UNIT_BYTES, "Bytes the thread freed (with the allocation library)", "Dealloc", NULL, NULL, thread_row_get, F_FREE },
  { "diff_bytes", HOTPATH_FIELD_GAUGE, HOTPATH_UNIT_BYTES, "Allocated minus freed by the thread (with the allocation library)", "Diff", NULL, NULL, thread_row_get, F_DIFF },
};

static const HotpathRowsDesc thread_rows = {
  thread_fields, G_N_ELEMENTS (thread_fields), hotpath_flow_rows_count, hotpath_flow_rows_nth,
};

const HotpathSectionDesc hotpath_threads_section = {
  .name = "threads",
  .title = "threads",
  .description = "Every thread of the process, sampled from /proc/self/task: name, state, CPU % and CPU time",
  .schema_def = "threads_section",
  .reset = threads_reset,
  .snapshot = threads_snapshot,
  .free_data = hotpath_flow_rows_free,
  .rows = &thread_rows,
  .when_empty = "no threads sampled",
  .background = TRUE,
  .item_noun = "thread",
  .items_noun = "threads",
  .order = "by id",
};
