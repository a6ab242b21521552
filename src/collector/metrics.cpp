#include "metrics.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

namespace thermograph {
namespace {

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Label values are reason names the collector itself chose; escaped anyway.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const std::string& name, const char* type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Histogram::observe(double v) {
  std::lock_guard lock(mu_);
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::write(std::string& out, const std::string& name, const std::string& help) const {
  header(out, name, "histogram", help);
  std::lock_guard lock(mu_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
  out += name + "_sum " + number(sum_) + "\n";
  out += name + "_count " + std::to_string(count_) + "\n";
}

std::string prometheus_text(const MetricsInput& in) {
  // The same grouping as `stats` (stats_json): adjusted reports were kept, storage counters are
  // about stored data, everything else is a refusal.
  const nlohmann::json grouped = stats_json(in.stats);
  std::string out;
  header(out, "thermograph_reports_total", "counter",
         "Reports received, by result (accepted, rejected, adjusted) and reason.");
  out += "thermograph_reports_total{result=\"accepted\"} " +
         std::to_string(grouped["accepted"].get<uint64_t>()) + "\n";
  for (const char* group : {"rejected", "adjusted"})
    for (const auto& [reason, n] : grouped[group].items())
      out += std::string("thermograph_reports_total{result=\"") + group + "\",reason=\"" +
             label(reason) + "\"} " + std::to_string(n.get<uint64_t>()) + "\n";
  for (const auto& [name, n] : grouped["storage"].items()) {
    const bool gauge = name == "pending_deltas";
    const std::string metric = "thermograph_" + name + (gauge ? "" : "_total");
    header(out, metric, gauge ? "gauge" : "counter",
           gauge ? "Deltas waiting to be folded into their rows."
                 : "Storage events: " + name + " (docs/collector.md).");
    out += metric + " " + std::to_string(n.get<uint64_t>()) + "\n";
  }
  header(out, "thermograph_survey_answers_total", "counter",
         "Micro-survey answers received, by result (stored, adjusted, rejected) and reason.");
  for (const auto& [name, n] : grouped["surveys"].items()) {
    const std::string result = name == "answers"       ? "stored"
                               : name == "pii_removed" ? "adjusted"
                                                       : "rejected";
    out += "thermograph_survey_answers_total{result=\"" + result + "\"" +
           (result == "stored" ? std::string() : ",reason=\"" + label(name) + "\"") + "} " +
           std::to_string(n.get<uint64_t>()) + "\n";
  }
  header(out, "thermograph_queue_depth", "gauge", "Reports waiting for the writer.");
  out += "thermograph_queue_depth " + std::to_string(in.queue_depth) + "\n";
  header(out, "thermograph_queue_capacity", "gauge",
         "Reports the queue holds before 503 (--queue).");
  out += "thermograph_queue_capacity " + std::to_string(in.queue_capacity) + "\n";
  in.ingest.batch_reports.write(out, "thermograph_commit_batch_reports",
                                "Reports per durable commit (group commit batch size).");
  in.ingest.commit_seconds.write(out, "thermograph_commit_seconds",
                                 "Time of one durable commit (fsync included), seconds.");
  header(out, "thermograph_database_bytes", "gauge", "Bytes the store occupies on disk.");
  out += "thermograph_database_bytes " + std::to_string(in.store_bytes) + "\n";
  header(out, "thermograph_healthy", "gauge", "1 while the last commit succeeded, else 0.");
  out += std::string("thermograph_healthy ") + (in.healthy ? "1" : "0") + "\n";
  return out;
}

bool is_loopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

}  // namespace thermograph
