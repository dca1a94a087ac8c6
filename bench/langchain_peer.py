"""LangChain's map-reduce summarizer, in the form its docs recommend today, for `bench.peer`.

The LangGraph graph of LangChain's "Summarize Text" tutorial (python.langchain.com/docs/tutorials/summarization,
which replaced the deprecated `load_summarize_chain(chain_type="map_reduce")` / `MapReduceDocumentsChain`, see
python.langchain.com/docs/versions/migrating_chains/map_reduce_chain): split with
`CharacterTextSplitter.from_tiktoken_encoder`, map every chunk to a summary with `Send`, collapse the summaries
with langchain-classic's `split_list_of_docs` / `acollapse_docs` until they fit `token_max`, then reduce them
to one final summary. Prompts and graph as in the tutorial; the model is langchain-openai's `ChatOpenAI` on
any OpenAI-compatible base URL. Needs the `bench` extra.

No `from __future__ import annotations` here: LangGraph reads the state classes' annotations at run time.
"""

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_classic.chains.combine_documents.reduce import acollapse_docs, split_list_of_docs
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langchain_text_splitters import CharacterTextSplitter
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from openai import DefaultAsyncHttpxClient

from briefing.chunking import ENCODING, count_tokens

MAP_PROMPT = ChatPromptTemplate.from_messages([("human", "Write a concise summary of the following: {context}.")])
REDUCE_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "human",
            "\nThe following is a set of summaries:\n{docs}\n"
            "Take these and distill it into a final, consolidated summary\nof the main themes.\n",
        )
    ]
)


class OverallState(TypedDict):
    contents: list[str]
    summaries: Annotated[list, operator.add]
    collapsed_summaries: list[Document]
    final_summary: str


class SummaryState(TypedDict):
    content: str


def length_function(documents: list[Document]) -> int:
    """Tokens of the documents, in the tokenizer the splitter and the project use (cl100k, offline)."""
    return sum(count_tokens(d.page_content) for d in documents)


def build_graph(llm: ChatOpenAI, token_max: int) -> Any:
    """The tutorial's map-reduce graph over `llm`."""

    async def generate_summary(state: SummaryState) -> dict[str, Any]:
        response = await llm.ainvoke(MAP_PROMPT.invoke(state["content"]))
        return {"summaries": [response.content]}

    def map_summaries(state: OverallState) -> list[Send]:
        return [Send("generate_summary", {"content": content}) for content in state["contents"]]

    def collect_summaries(state: OverallState) -> dict[str, Any]:
        return {"collapsed_summaries": [Document(summary) for summary in state["summaries"]]}

    async def _reduce(docs: Any) -> str:
        response = await llm.ainvoke(REDUCE_PROMPT.invoke(docs))
        return response.content

    async def collapse_summaries(state: OverallState) -> dict[str, Any]:
        doc_lists = split_list_of_docs(state["collapsed_summaries"], length_function, token_max)
        results = []
        for doc_list in doc_lists:
            results.append(await acollapse_docs(doc_list, _reduce))
        return {"collapsed_summaries": results}

    def should_collapse(state: OverallState) -> Literal["collapse_summaries", "generate_final_summary"]:
        if length_function(state["collapsed_summaries"]) > token_max:
            return "collapse_summaries"
        return "generate_final_summary"

    async def generate_final_summary(state: OverallState) -> dict[str, Any]:
        return {"final_summary": await _reduce(state["collapsed_summaries"])}

    graph = StateGraph(OverallState)
    graph.add_node("generate_summary", generate_summary)
    graph.add_node("collect_summaries", collect_summaries)
    graph.add_node("collapse_summaries", collapse_summaries)
    graph.add_node("generate_final_summary", generate_final_summary)
    graph.add_conditional_edges(START, map_summaries, ["generate_summary"])
    graph.add_edge("generate_summary", "collect_summaries")
    graph.add_conditional_edges("collect_summaries", should_collapse)
    graph.add_conditional_edges("collapse_summaries", should_collapse)
    graph.add_edge("generate_final_summary", END)
    return graph.compile()


async def summarize(
    articles: list[tuple[str, str]], base_url: str, concurrency: int, *, chunk_tokens: int, token_max: int
) -> tuple[str, int]:
    """(final summary, chunks) of `articles` through the graph, `concurrency` calls at once."""
    splitter = CharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING, chunk_size=chunk_tokens, chunk_overlap=0
    )
    docs = splitter.split_documents([Document(text, metadata={"source": name}) for name, text in articles])
    # An HTTP client of this event loop's own: langchain-openai otherwise shares one cached async client
    # across calls, and a second `asyncio.run` (the bench's next section) finds it bound to a closed loop.
    async with DefaultAsyncHttpxClient() as http:  # the openai SDK's own defaults (limits, timeouts)
        llm = ChatOpenAI(model="stub", base_url=base_url, api_key="stub", temperature=0, http_async_client=http)
        result = await build_graph(llm, token_max).ainvoke(
            {"contents": [d.page_content for d in docs]}, {"recursion_limit": 100, "max_concurrency": concurrency}
        )
    return result["final_summary"], len(docs)
