#include "floe/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace floe::metrics {

namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    out += names[i];
  }
  return out + "]";
}

void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view le) {
  if (names.empty() && le.empty()) return;
  out->push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(names[i]);
    out->append("=\"");
    out->append(EscapeLabelValue(values[i]));
    out->push_back('"');
  }
  if (!le.empty()) {
    if (!names.empty()) out->push_back(',');
    out->append("le=\"");
    out->append(le);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendSample(std::string* out, std::string_view name, std::string_view suffix,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, std::string_view le,
                  std::string_view value) {
  out->append(name);
  out->append(suffix);
  AppendLabels(out, label_names, values, le);
  out->push_back(' ');
  out->append(value);
  out->push_back('\n');
}

}  // namespace

// ---- values -------------------------------------------------------------------------------

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  // Bounds are inclusive upper limits ("le"); NaN falls through to +Inf.
  size_t bucket = static_cast<size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  if (std::isnan(value)) bucket = upper_bounds_.size();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::Assign(const std::vector<double>& observations) {
  std::vector<uint64_t> counts(upper_bounds_.size() + 1, 0);
  double sum = 0;
  for (double value : observations) {
    size_t bucket = std::isnan(value)
                        ? upper_bounds_.size()
                        : static_cast<size_t>(
                              std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                              upper_bounds_.begin());
    ++counts[bucket];
    sum += value;
  }
  for (size_t i = 0; i < counts.size(); ++i) counts_[i].store(counts[i], std::memory_order_relaxed);
  sum_.store(sum, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  // The count is the sum of the buckets read here, so _count always equals the +Inf bucket even
  // while other threads observe.
  Snapshot snap;
  snap.cumulative_counts.reserve(upper_bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snap.cumulative_counts.push_back(running);
  }
  snap.count = running;
  snap.sum = sum_.load(std::memory_order_relaxed);
  return snap;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

std::vector<double> LinearBuckets(double start, double width, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(start + width * i);
  return out;
}

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

// ---- text format helpers ------------------------------------------------------------------

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  if (name.substr(0, 2) == "__") return false;  // reserved for Prometheus itself
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}

// ---- families -----------------------------------------------------------------------------

template <typename T>
Family<T>::Family(Registry* registry, std::string name, std::string help,
                  std::vector<std::string> label_names, std::vector<double> buckets, bool exported)
    : registry_(registry),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)),
      exported_(exported) {}

template <typename T>
std::unique_ptr<T> Family<T>::MakeChild() const {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<Histogram>(buckets_);
  } else {
    return std::make_unique<T>();
  }
}

template <typename T>
T& Family<T>::Labels(const std::vector<std::string>& values) {
  std::lock_guard<std::mutex> lock(mu_);
  if (values.size() != label_names_.size()) {
    registry_->RecordError("metric " + name_ + " has labels " + JoinNames(label_names_) +
                           " but was given " + std::to_string(values.size()) + " value(s)");
    retired_.push_back(MakeChild());
    return *retired_.back();
  }
  auto it = children_.find(values);
  if (it == children_.end()) it = children_.emplace(values, MakeChild()).first;
  return *it->second;
}

template <typename T>
void Family<T>::Remove(const std::vector<std::string>& values) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) return;
  retired_.push_back(std::move(it->second));
  children_.erase(it);
}

template <typename T>
void Family<T>::RemoveWhere(std::string_view label_name, std::string_view value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto pos = std::find(label_names_.begin(), label_names_.end(), label_name);
  if (pos == label_names_.end()) return;
  const size_t index = static_cast<size_t>(pos - label_names_.begin());
  for (auto it = children_.begin(); it != children_.end();) {
    if (it->first[index] == value) {
      retired_.push_back(std::move(it->second));
      it = children_.erase(it);
    } else {
      ++it;
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- registry -----------------------------------------------------------------------------

void Registry::RecordError(std::string message) const {
  std::lock_guard<std::mutex> lock(error_mu_);
  if (first_error_.ok()) first_error_ = Status::Internal(std::move(message));
}

Status Registry::status() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return first_error_;
}

template <typename T>
Family<T>& Registry::Add(MetricType type, std::string_view name, std::string_view help,
                         std::vector<std::string> label_names, std::vector<double> buckets) {
  auto& store = [this]() -> std::vector<std::unique_ptr<Family<T>>>& {
    if constexpr (std::is_same_v<T, Counter>) return counters_;
    if constexpr (std::is_same_v<T, Gauge>) return gauges_;
    if constexpr (std::is_same_v<T, Histogram>) return histograms_;
  }();
  std::lock_guard<std::mutex> lock(mu_);
  auto detached = [&](std::string why) -> Family<T>& {
    RecordError("metric " + std::string(name) + ": " + why);
    store.push_back(std::unique_ptr<Family<T>>(new Family<T>(
        this, std::string(name), std::string(help), std::move(label_names), std::move(buckets),
        /*exported=*/false)));
    return *store.back();
  };
  if (!IsValidMetricName(name)) return detached("invalid metric name");
  for (const auto& label : label_names) {
    if (!IsValidLabelName(label)) return detached("invalid label name \"" + label + "\"");
    if (type == MetricType::kHistogram && label == "le") {
      return detached("a histogram cannot have a label named le");
    }
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (std::isnan(buckets[i]) || (i > 0 && !(buckets[i] > buckets[i - 1]))) {
      return detached("bucket bounds must be ascending numbers");
    }
  }
  if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) buckets.pop_back();

  auto it = entries_.find(name);
  if (it != entries_.end()) {
    const Entry& e = it->second;
    if (e.type != type) {
      return detached("already registered as a " + std::string(MetricTypeName(e.type)));
    }
    if (e.label_names != label_names) {
      return detached("already registered with labels " + JoinNames(e.label_names));
    }
    if (e.buckets != buckets) return detached("already registered with other buckets");
    return *static_cast<Family<T>*>(e.family);
  }
  store.push_back(std::unique_ptr<Family<T>>(new Family<T>(
      this, std::string(name), std::string(help), label_names, buckets, /*exported=*/true)));
  Family<T>* family = store.back().get();
  entries_.emplace(std::string(name),
                   Entry{type, std::move(label_names), std::move(buckets), family});
  if (family->label_names().empty()) family->Labels({});
  return *family;
}

CounterFamily& Registry::AddCounter(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names) {
  return Add<Counter>(MetricType::kCounter, name, help, std::move(label_names), {});
}

GaugeFamily& Registry::AddGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  return Add<Gauge>(MetricType::kGauge, name, help, std::move(label_names), {});
}

HistogramFamily& Registry::AddHistogram(std::string_view name, std::string_view help,
                                        std::vector<double> upper_bounds,
                                        std::vector<std::string> label_names) {
  return Add<Histogram>(MetricType::kHistogram, name, help, std::move(label_names),
                        std::move(upper_bounds));
}

void Registry::AddCollectHook(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string Registry::Render() const {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hooks = hooks_;
  }
  // Hooks run unlocked: they update gauges and may register families.
  for (const auto& hook : hooks) hook();

  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& item : entries_) {
    // Named references, not a structured binding: lambdas below capture them (clang 14).
    const std::string& name = item.first;
    const Entry& entry = item.second;
    auto header = [&](const std::string& help) {
      out += "# HELP " + name + " " + EscapeHelp(help) + "\n";
      out += "# TYPE " + name + " " + std::string(MetricTypeName(entry.type)) + "\n";
    };
    switch (entry.type) {
      case MetricType::kCounter:
      case MetricType::kGauge: {
        // Counter and Gauge differ only in their updates; both render a single value.
        auto render = [&](auto* family) {
          header(family->help_);
          std::lock_guard<std::mutex> family_lock(family->mu_);
          for (const auto& [values, child] : family->children_) {
            AppendSample(&out, name, "", family->label_names_, values, "",
                         FormatValue(child->Value()));
          }
        };
        if (entry.type == MetricType::kCounter) {
          render(static_cast<CounterFamily*>(entry.family));
        } else {
          render(static_cast<GaugeFamily*>(entry.family));
        }
        break;
      }
      case MetricType::kHistogram: {
        auto* family = static_cast<HistogramFamily*>(entry.family);
        header(family->help_);
        std::lock_guard<std::mutex> family_lock(family->mu_);
        for (const auto& [values, child] : family->children_) {
          Histogram::Snapshot snap = child->Read();
          const auto& bounds = child->upper_bounds();
          for (size_t i = 0; i < bounds.size(); ++i) {
            AppendSample(&out, name, "_bucket", family->label_names_, values,
                         FormatValue(bounds[i]), std::to_string(snap.cumulative_counts[i]));
          }
          AppendSample(&out, name, "_bucket", family->label_names_, values, "+Inf",
                       std::to_string(snap.count));
          AppendSample(&out, name, "_sum", family->label_names_, values, "", FormatValue(snap.sum));
          AppendSample(&out, name, "_count", family->label_names_, values, "",
                       std::to_string(snap.count));
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace floe::metrics
