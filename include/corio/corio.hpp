// Everything corio offers, in one include.
#pragma once

#include "corio/clock.hpp"
#include "corio/condition.hpp"
#include "corio/coro.hpp"
#include "corio/error.hpp"
#include "corio/event.hpp"
#include "corio/gather.hpp"
#include "corio/lock.hpp"
#include "corio/loop.hpp"
#include "corio/outcome.hpp"
#include "corio/queue.hpp"
#include "corio/run.hpp"
#include "corio/semaphore.hpp"
#include "corio/task.hpp"
#include "corio/task_group.hpp"
#include "corio/time.hpp"
#include "corio/timer_handle.hpp"
