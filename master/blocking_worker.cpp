#include "master/blocking_worker.h"

#include <algorithm>

#include "common/logging.h"

namespace fructosa {

BlockingWorker::BlockingWorker(boost::asio::io_context& io, std::string name, std::size_t capacity)
    : io_(io), capacity_(std::max<std::size_t>(capacity, 1)), gate_(std::make_shared<Gate>()) {
    gate_->name = std::move(name);
    gate_->capacity = capacity_;
    thread_ = std::thread([this] { run(); });
}

BlockingWorker::~BlockingWorker() { stop(); }

void BlockingWorker::log_task_failure(const std::string& name, const char* what) {
    log_error("{} worker: task failed: {}", name, what);
}

bool BlockingWorker::try_push(std::function<void()> task) {
    if (gate_->closed || gate_->in_flight >= capacity_) {
        ++gate_->stats.refused;
        return false;
    }
    ++gate_->in_flight;
    gate_->stats.peak_in_flight = std::max(gate_->stats.peak_in_flight, gate_->in_flight);
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
}

std::size_t BlockingWorker::queued() {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void BlockingWorker::when_room(std::function<void()> retry) {
    if (gate_->closed) return;
    gate_->waiters.push_back(std::move(retry));
}

void BlockingWorker::Gate::wake() {
    // A waiter usually posts again, taking the room it was called for: re-check each time.
    while (!closed && in_flight < capacity && !waiters.empty()) {
        auto retry = std::move(waiters.front());
        waiters.pop_front();
        retry();
    }
}

void BlockingWorker::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        auto task = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        task();
        lock.lock();
    }
}

void BlockingWorker::stop() {
    if (gate_->closed.exchange(true)) return;
    std::deque<std::function<void()>> dropped_tasks;  // destroyed here, outside the lock
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped_tasks.swap(queue_);
    }
    std::size_t dropped = dropped_tasks.size();
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    gate_->stats.discarded += dropped;
    gate_->waiters.clear();
    if (dropped > 0) log_info("{} worker stopped: {} queued task(s) not run", gate_->name, dropped);
}

}  // namespace fructosa
