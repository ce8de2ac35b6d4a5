// Everything corio offers, in one include.
#pragma once

#include "corio/clock.hpp"
#include "corio/connect.hpp"
#include "corio/coro.hpp"
#include "corio/dns.hpp"
#include "corio/error.hpp"
#include "corio/executor.hpp"
#include "corio/loop.hpp"
#include "corio/run.hpp"
#include "corio/server.hpp"
#include "corio/stream.hpp"
#include "corio/task.hpp"
#include "corio/thread_pool.hpp"
#include "corio/threadsafe.hpp"
#include "corio/time.hpp"
#include "corio/timer_handle.hpp"
