#pragma once

// Counters, gauges and histograms with label sets, kept in a Registry that is passed down (never
// global) and rendered in the Prometheus text exposition format 0.0.4.
//
// Registration takes a lock; the hot path does not: look a labelled child up once, keep the
// reference (it lives as long as the registry), and update it with atomics.
//
//   metrics::Registry registry;
//   auto& runs = registry.AddCounter("floe_compaction_runs_total", "Compaction runs by result.",
//                                    {"table", "result"});
//   metrics::Counter& ok = runs.Labels({"analytics.events", "success"});
//   ok.Increment();
//
// A bad definition (invalid name, the same name with another type, label names or buckets, a
// wrong number of label values) never aborts: the caller gets a detached metric that is not
// exported, and Registry::status() reports the first such error, so start-up can check it once.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/status.h"

namespace floe::metrics {

// Content-Type of Render()'s output, for GET /metrics.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing value.
class Counter {
 public:
  // Negative or NaN increments are ignored (a counter never goes down).
  void Increment(double delta = 1.0) {
    if (delta > 0) value_.fetch_add(delta, std::memory_order_relaxed);
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, inclusive, ascending; +Inf is implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  // Replaces everything observed so far with `observations`: for distributions that are a state
  // rather than a stream of events (the sizes of a table's live files). A concurrent render may
  // see a mix of old and new buckets.
  void Assign(const std::vector<double>& observations);

  struct Snapshot {
    std::vector<uint64_t> cumulative_counts;  // one per bound, then one for +Inf
    double sum = 0;
    uint64_t count = 0;  // equals cumulative_counts.back()
  };
  Snapshot Read() const;
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, +Inf last; not cumulative
  std::atomic<double> sum_{0.0};
};

// `count` bounds start, start*factor, start*factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// `count` bounds start, start+width, ...
std::vector<double> LinearBuckets(double start, double width, int count);

enum class MetricType { kCounter, kGauge, kHistogram };
std::string_view MetricTypeName(MetricType type);

// All children of one metric name: one per distinct list of label values.
template <typename T>
class Family {
 public:
  // The child for these label values (in the order of the family's label names), created at 0 on
  // first use. The reference stays valid as long as the registry. Takes a lock: keep the result.
  T& Labels(const std::vector<std::string>& values);
  // Stops exporting one child (a dropped table). References to it stay valid but are detached.
  void Remove(const std::vector<std::string>& values);
  // Removes every child whose label `label_name` has `value` (all series of a dropped table).
  void RemoveWhere(std::string_view label_name, std::string_view value);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Registry;
  Family(class Registry* registry, std::string name, std::string help,
         std::vector<std::string> label_names, std::vector<double> buckets, bool exported);
  std::unique_ptr<T> MakeChild() const;

  Registry* registry_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;  // histograms only
  bool exported_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
  std::vector<std::unique_ptr<T>> retired_;  // removed or rejected children, kept alive
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a metric, or returns the one already registered under `name` when it has the same
  // type, label names (and buckets). A family without labels exports its single child at 0 from
  // the start.
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<double> upper_bounds,
                                std::vector<std::string> label_names = {});

  // Runs before every Render(), to refresh gauges read from elsewhere (/proc, table state).
  void AddCollectHook(std::function<void()> hook);

  // The text exposition format 0.0.4: families sorted by name, children by label values.
  std::string Render() const;

  // The first definition error, or OK.
  Status status() const;

 private:
  template <typename T>
  friend class Family;
  struct Entry {
    MetricType type;
    std::vector<std::string> label_names;
    std::vector<double> buckets;
    void* family;  // Family<T>* of `type`
  };
  template <typename T>
  Family<T>& Add(MetricType type, std::string_view name, std::string_view help,
                 std::vector<std::string> label_names, std::vector<double> buckets);
  void RecordError(std::string message) const;

  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<GaugeFamily>> gauges_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void()>> hooks_;
  mutable std::mutex error_mu_;
  mutable Status first_error_;
};

// Helpers of the text format, exposed for tests and for other writers of the format.
// A float as Prometheus reads it: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);
// Label values escape backslash, double quote and newline; HELP text escapes backslash and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace floe::metrics
