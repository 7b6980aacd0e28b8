//! The one tokio runtime that runs every async call of the library, whatever executor the app awaits from.

use std::future::Future;
use std::sync::LazyLock;

use crate::error::RuhuError;

static RUNTIME: LazyLock<Option<tokio::runtime::Runtime>> =
    LazyLock::new(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("ruhu-core").enable_all().build().ok());

/// Runs `fut` on the library's runtime; the returned future can be awaited from Kotlin coroutines, Swift tasks or
/// Python asyncio alike.
pub async fn spawn<T, F>(fut: F) -> Result<T, RuhuError>
where
    F: Future<Output = Result<T, RuhuError>> + Send + 'static,
    T: Send + 'static,
{
    let rt = RUNTIME.as_ref().ok_or_else(|| RuhuError::Internal { message: "无法启动后台任务".into() })?;
    rt.spawn(fut).await.map_err(|e| RuhuError::Internal { message: format!("后台任务异常结束：{e}") })?
}

/// Runs `fut` to completion on the library's runtime without anyone awaiting it.
pub fn detach<F>(fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    if let Some(rt) = RUNTIME.as_ref() {
        rt.spawn(fut);
    }
}
