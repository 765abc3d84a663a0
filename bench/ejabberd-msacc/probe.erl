-module(probe).
-export([main/1]).
%% Polls a node's microstate accounting every 100 ms and prints the cumulative time per state (all schedulers), in µs.
main([NodeStr]) ->
    Node = list_to_atom(NodeStr),
    wait_connect(Node, 600),
    true = rpc:call(Node, msacc, start, []) =/= {badrpc, x},
    loop(Node).
wait_connect(_, 0) -> halt(2);
wait_connect(Node, N) ->
    case net_adm:ping(Node) of pong -> ok; pang -> timer:sleep(100), wait_connect(Node, N - 1) end.
loop(Node) ->
    case rpc:call(Node, erlang, statistics, [microstate_accounting]) of
        {badrpc, _} -> halt(0);
        undefined -> halt(0);
        Stats ->
            Sum = lists:foldl(fun(#{type := T, counters := C}, Acc) when T =:= scheduler; T =:= dirty_cpu_scheduler; T =:= poll ->
                                     maps:fold(fun(K, V, A) -> maps:update_with(K, fun(X) -> X + V end, V, A) end, Acc, C);
                                (_, Acc) -> Acc end, #{}, Stats),
            {{_, _, _}, _} = calendar:local_time(),
            Now = os:system_time(millisecond),
            Line = [io_lib:format("~s=~b ", [K, V div 1000]) || {K, V} <- lists:sort(maps:to_list(Sum))],
            io:format("MSACC ~b ~s~n", [Now, Line]),
            timer:sleep(100),
            loop(Node)
    end.
