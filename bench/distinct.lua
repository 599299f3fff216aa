-- wrk script of bench/distinct.py: each request takes the next address of a file (one per line),
-- the threads interleaving (thread t takes lines t, t + threads, ...), so that each address is
-- requested once until the file is used up (then it starts again).
-- Usage: wrk -s bench/distinct.lua http://127.0.0.1:PORT/ -- PATHS_FILE THREADS

local created = 0

function setup(thread)
  thread:set("thread_number", created)
  created = created + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  step = tonumber(args[2]) or 1
  position = thread_number or 0
end

function request()
  local path = paths[(position % #paths) + 1]
  position = position + step
  return wrk.format("GET", path)
end
